// One Pulumi version everywhere: scripts/versions.env (the CLI that set-up builds), the exact
// @pulumi/pulumi devDependency in package.json, and the SDK actually installed. Users install the
// package next to their own @pulumi/pulumi: a peer dependency whose range starts at that version.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";

/** The project root: the nearest folder upwards from here with the package.json of pulumi-netns. */
function projectRoot(): string {
    for (let dir = process.cwd(); ; dir = dirname(dir)) {
        const pkg = join(dir, "package.json");
        if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === "pulumi-netns") return dir;
        if (dirname(dir) === dir) throw new Error(`no pulumi-netns package.json above ${process.cwd()}`);
    }
}

const root = projectRoot();
const json = (path: string) => JSON.parse(readFileSync(join(root, path), "utf8")) as Record<string, unknown>;

/** The assignments in versions.env, as bash would read them (comments and blank lines skipped). */
function env(path: string): Map<string, string[]> {
    const vars = new Map<string, string[]>();
    for (const line of readFileSync(join(root, path), "utf8").split("\n")) {
        const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
        if (!m?.[1] || line.trim().startsWith("#")) continue;
        const value = (m[2] ?? "").trim().replace(/^(["'])(.*)\1$/, "$2");
        vars.set(m[1], [...(vars.get(m[1]) ?? []), value]);
    }
    return vars;
}

describe("the Pulumi version", () => {
    const assigned = env("scripts/versions.env").get("PULUMI_VERSION") ?? [];
    const pinned = assigned[0];
    const pkg = json("package.json") as Record<string, Record<string, string> | undefined>;
    const dependency = pkg.devDependencies?.["@pulumi/pulumi"];
    const installed = json("node_modules/@pulumi/pulumi/package.json").version;

    it("is set once in scripts/versions.env, as an exact version", () => {
        expect(assigned).toHaveLength(1);
        expect(pinned).toMatch(/^\d+\.\d+\.\d+$/);
    });

    it("is the exact @pulumi/pulumi devDependency in package.json (no range)", () => {
        expect(dependency).toMatch(/^\d+\.\d+\.\d+$/);
        expect(dependency).toBe(pinned);
    });

    it("is where the peer dependency's range starts, and the SDK is no dependency of its own (the user's is used)", () => {
        expect(pkg.peerDependencies?.["@pulumi/pulumi"]).toBe(`^${pinned}`);
        expect(pkg.dependencies?.["@pulumi/pulumi"]).toBeUndefined();
    });

    it("is the installed node_modules/@pulumi/pulumi", () => {
        expect(installed).toBe(pinned);
    });
});
