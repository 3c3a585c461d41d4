import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.harness.Neo4j;
import org.neo4j.harness.Neo4jBuilders;

/**
 * An in-process Neo4j 5 for kg-engine's test suite: Bolt only, on 127.0.0.1 and a port the OS picks.
 *
 * <p>Usage: {@code java -Xmx1g -cp <classes>:<lib>/* KgNeo4jTestServer <work-dir> <uri-file> [--watch-stdin]}.
 * The password of user {@code neo4j} comes from {@code KG_NEO4J_PASSWORD} (auth is off when it is unset or
 * empty); {@code KG_NEO4J_PAGECACHE} caps the page cache (default {@code 256m}). Once Bolt listens, the
 * bolt URI is written to {@code <uri-file>} (atomically) and printed. The server stops on SIGTERM/SIGINT
 * and, with {@code --watch-stdin}, when standard input closes.
 */
public final class KgNeo4jTestServer {
    private KgNeo4jTestServer() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: KgNeo4jTestServer <work-dir> <uri-file> [--watch-stdin]");
            System.exit(2);
        }
        Path workDir = Path.of(args[0]);
        Path uriFile = Path.of(args[1]);
        boolean watchStdin = args.length > 2 && args[2].equals("--watch-stdin");
        String password = System.getenv().getOrDefault("KG_NEO4J_PASSWORD", "");
        long pageCache = bytes(System.getenv().getOrDefault("KG_NEO4J_PAGECACHE", "256m"));

        Neo4j server = Neo4jBuilders.newInProcessBuilder(workDir)
                .withDisabledServer()
                .withConfig(BoltConnector.enabled, true)
                .withConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", 0))
                .withConfig(GraphDatabaseSettings.pagecache_memory, pageCache)
                .withConfig(GraphDatabaseSettings.auth_enabled, !password.isEmpty())
                .build();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(server, stopped)));
        if (!password.isEmpty()) {
            setPassword(server, password);
        }
        publish(uriFile, server.boltURI().toString());
        if (watchStdin) {
            Thread watcher = new Thread(() -> exitOnStdinClose());
            watcher.setDaemon(true);
            watcher.start();
        }
        stopped.await();
    }

    /** The initial user must change its password before it may run queries; do it for the tests. */
    private static void setPassword(Neo4j server, String password) {
        server.databaseManagementService()
                .database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME)
                .executeTransactionally(
                        "ALTER USER neo4j SET PASSWORD $password CHANGE NOT REQUIRED", Map.of("password", password));
    }

    private static void publish(Path uriFile, String uri) throws IOException {
        Path partial = uriFile.resolveSibling(uriFile.getFileName() + ".partial");
        Files.writeString(partial, uri + "\n", StandardCharsets.UTF_8);
        Files.move(partial, uriFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        System.out.println("KG_NEO4J_URI=" + uri);
        System.out.flush();
    }

    private static void exitOnStdinClose() {
        try {
            while (System.in.read() != -1) {
                // Drain until the parent closes the pipe.
            }
        } catch (IOException ignored) {
            // A broken pipe means the parent is gone too.
        }
        System.exit(0);
    }

    private static void stop(Neo4j server, CountDownLatch stopped) {
        try {
            server.close();
        } finally {
            stopped.countDown();
        }
    }

    private static long bytes(String size) {
        String s = size.trim().toLowerCase();
        long unit = switch (s.isEmpty() ? ' ' : s.charAt(s.length() - 1)) {
            case 'k' -> 1L << 10;
            case 'm' -> 1L << 20;
            case 'g' -> 1L << 30;
            default -> 1L;
        };
        return Long.parseLong(unit == 1L ? s : s.substring(0, s.length() - 1)) * unit;
    }
}
