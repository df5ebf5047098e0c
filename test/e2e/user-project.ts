// A Pulumi project of the user's own for the recovery and Automation API tests: `npm pack` of
// this repository installed with @pulumi/pulumi (this repository's versions, --prefer-offline)
// into a fresh directory, with a JavaScript program. The same steps as consumer.test.ts.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { REPO } from "./harness";

const version = (pkg: string) => (JSON.parse(readFileSync(join(REPO, "node_modules", pkg, "package.json"), "utf8")) as { version: string }).version;

export async function npm(args: string[], cwd: string): Promise<string> {
    const r = await execa("npm", args, { cwd, reject: false, timeout: 600_000, env: { npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false" } });
    if (r.exitCode !== 0) throw new Error(`npm ${args.join(" ")} failed (exit ${r.exitCode})\n${String(r.stdout)}\n${String(r.stderr)}`);
    return String(r.stdout);
}

/**
 * Packs the package into `dir`, makes `dir/project` (Pulumi.yaml named `name`, JavaScript, the
 * given files) and installs the packed package and @pulumi/pulumi there. Returns the project's path.
 */
export async function userProject(dir: string, name: string, files: Record<string, string>): Promise<string> {
    const packed = JSON.parse(await npm(["pack", "--json", "--pack-destination", dir], REPO)) as { filename: string }[];
    const project = join(dir, "project");
    mkdirSync(project, { recursive: true });
    writeFileSync(join(project, "package.json"), JSON.stringify({ name, private: true, main: "index.js" }, null, 2));
    writeFileSync(join(project, "Pulumi.yaml"), `name: ${name}\nruntime:\n  name: nodejs\n  options:\n    typescript: false\nmain: index.js\n`);
    for (const [f, text] of Object.entries(files)) writeFileSync(join(project, f), text);
    await npm(["install", "--prefer-offline", "--save-exact", "--loglevel=error", join(dir, packed[0]!.filename), `@pulumi/pulumi@${version("@pulumi/pulumi")}`], project);
    return project;
}
