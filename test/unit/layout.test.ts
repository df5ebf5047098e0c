// The layout is the architecture (issue 22 item 3): imports run one way, with no cycle anywhere in
// the project's TypeScript, type imports included.
//
// The import graph comes from madge (a devDependency), not from a hand-written parser: madge reads
// each file with the TypeScript compiler's own parser (detective-typescript), resolves paths
// through tsconfig.json like tsc does, counts `import type` and `import("...")` types when asked
// (skipTypeImports: false), and reports every cycle with `circular()`. dependency-cruiser does the
// same and more (rules in a config file), but the rules here are a few lines of code over madge's
// plain file-to-files map, which reads more simply in a test than a second config language.
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const REPO = resolve(__dirname, "../..");
/** The folders of the project's TypeScript. */
const ROOTS = ["provider", "graph", "lab", "stacks", "test"];

interface Madge {
    circular(): string[][];
    obj(): Record<string, string[]>;
}
type MadgeFn = (paths: string[], config: Record<string, unknown>) => Promise<Madge>;

/** Each project file (relative to the repository) and the project files it imports. */
async function importGraph(): Promise<{ graph: Record<string, string[]>; cycles: string[][] }> {
    const madge = require("madge") as MadgeFn;
    const m = await madge(ROOTS.map((r) => join(REPO, r)), {
        baseDir: REPO,
        tsConfig: join(REPO, "tsconfig.test.json"),
        fileExtensions: ["ts"],
        // Type imports are edges too: a type cycle still ties the files' meaning together.
        detectiveOptions: { ts: { skipTypeImports: false, skipAsyncImports: false }, es6: { skipTypeImports: false, skipAsyncImports: false } },
    });
    return { graph: m.obj(), cycles: m.circular() };
}

const loaded = importGraph();

describe("the import graph", () => {
    it("sees the project: every folder's files, with their imports", async () => {
        const { graph } = await loaded;
        for (const root of ROOTS) expect(Object.keys(graph).some((f) => f.startsWith(`${root}/`)), root).toBe(true);
        // A file known to import others: an empty graph would pass every rule below.
        expect(graph["provider/impl.ts"]?.length ?? 0).toBeGreaterThan(3);
    });

    it("has no import cycle, type imports included", async () => {
        const { cycles } = await loaded;
        expect(cycles.map((c) => c.join(" -> "))).toEqual([]);
    });
});
