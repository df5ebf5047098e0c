// Reading a stack's state with the real CLI (`pulumi stack export`) and writing its picture:
// shared by the package's command (`pulumi-netns graph`), the lab (`npm run lab -- graph`) and
// `npm run pictures`. Every failure is one StackGraphError line that says what is missing and
// what to run; nothing is written unless the picture is whole.
import { writeFileSync } from "node:fs";
import { execa } from "execa";
import { StackGraphError, stackToSvg, type GraphOptions } from "./render";
import { svgToPng } from "./png";

export interface ExportArgs {
    stack: string;
    /** The Pulumi project's directory (default: the current one). */
    cwd?: string;
    env?: Record<string, string>;
    /** What to tell the user to run when the stack is missing or empty (default: `pulumi up --stack NAME`). */
    upHint?: string;
    /** The message when there is no such stack (default: no stack "NAME": bring it up first ...). */
    missing?: string;
}

/** `pulumi stack export --stack NAME`, parsed. Throws StackGraphError when there is no such stack. */
export async function exportStack(a: ExportArgs): Promise<unknown> {
    const up = a.upHint ?? `pulumi up --stack ${a.stack}${a.cwd ? ` --cwd ${a.cwd}` : ""}`;
    const args = ["stack", "export", "--stack", a.stack, "--non-interactive", ...(a.cwd ? ["--cwd", a.cwd] : [])];
    let r;
    try {
        r = await execa("pulumi", args, { reject: false, env: a.env, stdin: "ignore" });
    } catch (e) {
        throw new StackGraphError(`cannot run pulumi (${(e as Error).message.split("\n")[0]}): install the Pulumi CLI and put it on PATH`);
    }
    if (r.failed && r.exitCode === undefined) {
        throw new StackGraphError(`cannot run pulumi (${String(r.shortMessage ?? r.message).split("\n")[0]}): install the Pulumi CLI and put it on PATH`);
    }
    if (r.exitCode !== 0) {
        const err = String(r.stderr).trim().split("\n").find((l) => /error/i.test(l)) ?? String(r.stderr).trim().split("\n")[0] ?? "";
        if (/fully qualified name|no Pulumi\.yaml|no project/i.test(String(r.stderr))) {
            throw new StackGraphError(`no Pulumi project in ${a.cwd ?? process.cwd()} (no Pulumi.yaml): run this in your project's directory or pass --cwd DIR`);
        }
        if (/no stack named|could not find|not found/i.test(err)) {
            throw new StackGraphError(a.missing ?? `no stack "${a.stack}"${a.cwd ? ` in ${a.cwd}` : ""}: bring it up first (${up}); pulumi stack ls lists the stacks`);
        }
        throw new StackGraphError(`pulumi stack export --stack ${a.stack} failed: ${err.replace(/^error:\s*/i, "")}`);
    }
    try {
        return JSON.parse(String(r.stdout));
    } catch {
        throw new StackGraphError(`pulumi stack export --stack ${a.stack} printed no JSON`);
    }
}

export interface PictureFiles {
    svg: string;
    png?: string;
}

/** Renders the export and writes FILE.svg (and FILE.png): both are rendered before either is written. */
export async function writePicture(exported: unknown, svgPath: string, opts: GraphOptions & { png?: boolean; upHint?: string }): Promise<PictureFiles> {
    let svg: string;
    try {
        svg = await stackToSvg(exported, opts);
    } catch (e) {
        // "The stack holds no resources": say how to bring it up.
        if (e instanceof StackGraphError && opts.upHint && /holds no resources/.test(e.message)) {
            throw new StackGraphError(`${e.message.replace(/: bring it up first.*$/, "")}: run ${opts.upHint}`);
        }
        throw e;
    }
    const png = opts.png ? svgToPng(svg) : undefined;
    writeFileSync(svgPath, svg);
    const files: PictureFiles = { svg: svgPath };
    if (png) {
        files.png = svgPath.replace(/\.svg$/i, "") + ".png";
        writeFileSync(files.png, png);
    }
    return files;
}
