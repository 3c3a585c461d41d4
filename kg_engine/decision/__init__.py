"""Decision support on the graph: treatment options, drug interactions, gene-set diseases, literature evidence.

One module per capability (``treat``, ``interactions``, ``risk``, ``evidence``), each returning a JSON-ready
dict with its sources (and their licences) and a disclaimer: research output, not clinical advice.
"""
