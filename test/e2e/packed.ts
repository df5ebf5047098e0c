// A Pulumi project of the user's own that installs the packed package (`npm pack` of this
// repository), as test/e2e/consumer.test.ts makes one: its program is TypeScript (index.ts,
// compiled by the SDK's ts-node), the versions installed are this repository's own, with
// --prefer-offline (the npm cache of `npm ci` usually holds them all).
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { REPO } from "./harness";

const version = (pkg: string) => (JSON.parse(readFileSync(join(REPO, "node_modules", pkg, "package.json"), "utf8")) as { version: string }).version;

export async function npm(args: string[], cwd: string): Promise<string> {
    const r = await execa("npm", args, { cwd, reject: false, timeout: 600_000, env: { npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false" } });
    if (r.exitCode !== 0) throw new Error(`npm ${args.join(" ")} failed (exit ${r.exitCode})\n${String(r.stdout)}\n${String(r.stderr)}`);
    return String(r.stdout);
}

/** Packs this repository into `dir` (once per call) and returns the tarball's path. */
export async function pack(dir: string): Promise<string> {
    const packed = JSON.parse(await npm(["pack", "--json", "--pack-destination", dir], REPO)) as { filename: string }[];
    return join(dir, packed[0]!.filename);
}

/** Makes the project `dir/name` with `program` as index.ts, installing `tarball`; returns its path. */
export async function packedProject(dir: string, name: string, tarball: string, program: string): Promise<string> {
    const project = join(dir, name);
    rmSync(project, { recursive: true, force: true });
    mkdirSync(project, { recursive: true });
    writeFileSync(join(project, "package.json"), JSON.stringify({ name, private: true, main: "index.ts" }, null, 2));
    writeFileSync(join(project, "Pulumi.yaml"), `name: ${name}\nruntime:\n  name: nodejs\n  options:\n    typescript: true\n`);
    writeFileSync(join(project, "tsconfig.json"), JSON.stringify({ compilerOptions: { strict: true, target: "es2020", module: "commonjs", moduleResolution: "node", esModuleInterop: true, forceConsistentCasingInFileNames: true }, files: ["index.ts"] }, null, 2));
    writeFileSync(join(project, "index.ts"), program);
    await npm(["install", "--prefer-offline", "--save-exact", "--loglevel=error", tarball,
        `@pulumi/pulumi@${version("@pulumi/pulumi")}`, `typescript@${version("typescript")}`, `@types/node@${version("@types/node")}`], project);
    return project;
}
