// The page's third-party code, bundled once into ../static/vendor.js (npm ci && npm run build).
// Exposes window.KgVendor = { EditorView, basicSetup, cypherLanguage, cytoscape }.
import { EditorView, basicSetup } from "codemirror";
import { StreamLanguage } from "@codemirror/language";
import { cypher } from "@codemirror/legacy-modes/mode/cypher";
import cytoscape from "cytoscape";

export const cypherLanguage = StreamLanguage.define(cypher);
export { EditorView, basicSetup, cytoscape };
