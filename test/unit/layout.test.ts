// The layout is the architecture (issue 22 item 3): imports run one way, with no cycle anywhere in
// the project's TypeScript, type imports included, and the provider's folders in one order, each
// importing only from the folders below it:
//
//   provider/index.ts, automation.ts  the package's entries
//   provider/impl.ts, leftovers.ts    what reads every kind: the provider methods (impl.ts, the stored provider's path), the leftover finder
//   provider/kinds/      one file per kind, the helpers of a kind (inline.ts, eui64.ts, link.ts), the registry and the schemas by kind
//   provider/engine/     the kind machinery: definition, resource class, diff, fields, hidden and targeted updates
//   provider/checks/     whole-stack checks (declared.ts) and the options derived from them (ties.ts)
//   provider/ownership/  the marks, what a create made, recovery's grant, the run records
//   provider/model/      address arithmetic (net.ts) and what the kinds are to each other (relations.ts): no imports
//   provider/host/       the only code of the provider that starts processes or reads the kernel's state
//   cli/                 the package's command (pulumi-netns graph|leftovers|recover)
//   graph/               the picture of a stack
//
// The import graph comes from madge (a devDependency), not from a hand-written parser: madge reads
// each file with the TypeScript compiler's own parser (detective-typescript), resolves paths
// through tsconfig.json like tsc does, counts `import type` and `import("...")` types when asked
// (skipTypeImports: false), and reports every cycle with `circular()`. dependency-cruiser does the
// same and more (rules in a config file), but the rules here are a few lines of code over madge's
// plain file-to-files map, which reads more simply in a test than a second config language.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const REPO = resolve(__dirname, "../..");
/** The folders of the project's TypeScript. */
const ROOTS = ["provider", "cli", "graph", "lab", "stacks", "test"];

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

/** The imports of project files from `from` (a path prefix) into `into` (a path prefix). */
async function edges(from: string, into: string): Promise<string[]> {
    const { graph } = await loaded;
    return Object.entries(graph).flatMap(([f, deps]) => (f.startsWith(from) ? deps.filter((d) => d.startsWith(into)).map((d) => `${f} -> ${d}`) : []));
}

describe("imports run one way", () => {
    it("the provider never imports the command (cli/); of the provider, only the package entry re-exports the picture (graph/)", async () => {
        expect(await edges("provider/", "cli/")).toEqual([]);
        expect((await edges("provider/", "graph/")).filter((e) => !e.startsWith("provider/index.ts -> "))).toEqual([]);
    });

    it("the picture (graph/) and the lessons' code never import the command (cli/)", async () => {
        for (const from of ["graph/", "lab/", "stacks/"]) expect(await edges(from, "cli/")).toEqual([]);
    });

    it("the command is what uses the provider and the picture", async () => {
        expect((await edges("cli/", "provider/")).length).toBeGreaterThan(0);
        expect((await edges("cli/", "graph/")).length).toBeGreaterThan(0);
    });

    it("a kind imports another kind's file only where declared here", async () => {
        // The helpers a kind shares: inline sub-objects (inline.ts, which builds its lines with the
        // Address and Route kinds' own field rules), a VethPair's EUI-64 (eui64.ts) and the create of
        // one interface in one namespace (link.ts: Bridge, Tunnel). Whether a
        // namespace is there is the host layer's (host/netns.ts), not the Namespace kind's.
        const declared = [
            "provider/kinds/bridge.ts -> provider/kinds/inline.ts",
            "provider/kinds/namespace.ts -> provider/kinds/inline.ts",
            "provider/kinds/veth.ts -> provider/kinds/inline.ts",
            "provider/kinds/inline.ts -> provider/kinds/address.ts",
            "provider/kinds/inline.ts -> provider/kinds/route.ts",
            "provider/kinds/veth.ts -> provider/kinds/eui64.ts",
            "provider/kinds/bridge.ts -> provider/kinds/link.ts",
            "provider/kinds/tunnel.ts -> provider/kinds/inline.ts",
            "provider/kinds/tunnel.ts -> provider/kinds/link.ts",
        ];
        // The registry lists every kind, and the schemas by kind read the registry.
        const assembly = (e: string) => /^provider\/kinds\/(registry|schemas)\.ts -> /.test(e);
        expect((await edges("provider/kinds/", "provider/kinds/")).filter((e) => !declared.includes(e) && !assembly(e))).toEqual([]);
    });

    it("outside kinds/, the provider reaches the kinds through the registry and the schemas by kind; only the package entry imports a kind's file", async () => {
        const outside = (await edges("provider/", "provider/kinds/")).filter((e) => !e.startsWith("provider/kinds/"));
        const direct = outside.filter((e) => !/ -> provider\/kinds\/(registry|schemas)\.ts$/.test(e));
        expect([...new Set(direct.map((e) => e.split(" -> ")[0]))]).toEqual(["provider/index.ts"]);
        expect(outside.some((e) => e.startsWith("provider/impl.ts -> provider/kinds/registry.ts"))).toBe(true);
    });
});

/** The provider's folders from the top down; a file imports only files of its own folder or of a folder further down. */
const FLOORS: readonly (readonly string[])[] = [
    ["provider/index.ts", "provider/automation.ts"],
    ["provider/impl.ts", "provider/leftovers.ts"],
    ["provider/kinds/"],
    ["provider/engine/"],
    ["provider/checks/", "provider/ownership/"],
    ["provider/model/", "provider/host/"],
];
const floorOf = (f: string) => FLOORS.findIndex((fl) => fl.some((p) => (p.endsWith("/") ? f.startsWith(p) : f === p)));
const folderOf = (f: string) => FLOORS.flat().find((p) => p.endsWith("/") && f.startsWith(p)) ?? f;

describe("the provider's folders, in one order", () => {
    it("every file of the provider is on a floor", async () => {
        const { graph } = await loaded;
        expect(Object.keys(graph).filter((f) => f.startsWith("provider/") && floorOf(f) < 0)).toEqual([]);
    });

    it("no import runs up or sideways: only to the same folder or to a floor below", async () => {
        const { graph } = await loaded;
        const wrong = Object.entries(graph).flatMap(([f, deps]) => (!f.startsWith("provider/") ? [] : deps.filter((d) => d.startsWith("provider/"))
            .filter((d) => folderOf(d) !== folderOf(f) && floorOf(d) <= floorOf(f)).map((d) => `${f} -> ${d}`)));
        expect(wrong).toEqual([]);
        // The rule sees the imports it judges: the kinds import the engine, the engine the checks.
        expect((await edges("provider/kinds/", "provider/engine/")).length).toBeGreaterThan(0);
        expect((await edges("provider/engine/", "provider/checks/")).length).toBeGreaterThan(0);
    });
});

/** Every .ts file under `dir` (relative to the repository). */
function tsFiles(dir: string): string[] {
    return readdirSync(join(REPO, dir)).flatMap((name) => {
        const path = join(dir, name);
        if (statSync(join(REPO, path)).isDirectory()) return tsFiles(path);
        return name.endsWith(".ts") ? [path] : [];
    });
}

describe("who may run processes", () => {
    it("in provider/, only the host layer imports execa or node:child_process", () => {
        const spawning = tsFiles("provider").filter((f) => /(\bfrom\s+|\bimport\s*\(\s*|\brequire\s*\(\s*|\bimport\s+)["'](execa|node:child_process|child_process)["']/.test(readFileSync(join(REPO, f), "utf8")));
        expect(spawning.length).toBeGreaterThan(0);
        expect(spawning.filter((f) => !f.startsWith("provider/host/")).map((f) => relative(".", f))).toEqual([]);
    });

    it("only the host layer reads /run/netns or /proc itself (the provider, recovery and the lab's pre-check)", () => {
        const reads = /\b(stat|lstat|readdir|readFile|exists|open)(Sync)?\(\s*["'`]\/(run\/netns|proc)\b/;
        const files = [...tsFiles("provider"), ...tsFiles("lab"), ...tsFiles("cli")];
        const readers = files.filter((f) => reads.test(readFileSync(join(REPO, f), "utf8")));
        expect(readers.filter((f) => f.startsWith("provider/host/")).length).toBeGreaterThan(0);
        expect(readers.filter((f) => !f.startsWith("provider/host/"))).toEqual([]);
    });
});
