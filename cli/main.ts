#!/usr/bin/env node
// The package's command, for a user's own project:
//   npx pulumi-netns graph --stack NAME [--cwd DIR] [--png] [-o FILE] [--strip-prefix P] [--details] [--direction LR|TB]
// runs `pulumi stack export` on the stack and writes its picture (NAME.svg by default, and the
// PNG beside it with --png), then prints the path of each file. On any problem: one line on
// stderr naming what is missing and what to run, exit 1, nothing written.
//   npx pulumi-netns leftovers [--remove] [--prefix P] [--project P] [--backend URL] [--org ORG]
// lists the objects on the host marked by a stack that no longer has them (provider/leftovers.ts),
// and removes them with --remove.
//   npx pulumi-netns recover --stack NAME [--cwd DIR]
// recovers the stack after an interrupted `up` (lab/recover.ts): unlocks it, ends what the dead
// run left running, takes over what it made, and converges.
//   npx pulumi-netns capture --stack NAME --namespace NS [--interface IF] [--count N] [--write FILE] [--cwd DIR] [-- FILTER...]
// runs tcpdump -tn in one of the stack's namespaces (read from `pulumi stack export`; any other is
// refused): decoded lines until Ctrl-C or N packets, and a pcap file with --write (lab/capture.ts).
import { resolve } from "node:path";
import { StackGraphError } from "../graph/render";
import { leftoversCommand, parseLeftoverArgs } from "../provider/leftovers";
import { exportStack, writePicture } from "../graph/stack";
import { RECOVER_USAGE, recoverCommand } from "../lab/recover";
import { CaptureError } from "../provider/host/capture";
import { CAPTURE_USAGE, captureCommand, parseCaptureArgs, stackNamespaces } from "../lab/capture";

const GRAPH_USAGE = "pulumi-netns graph --stack NAME [--cwd DIR] [--png] [-o FILE] [--strip-prefix PREFIX] [--details] [--direction LR|TB]";
const LEFTOVERS_USAGE = "pulumi-netns leftovers [--remove] [--prefix PREFIX] [--project NAME] [--backend URL] [--org ORG]";
const USAGE = `usage: ${GRAPH_USAGE}\n       ${LEFTOVERS_USAGE}\n       ${RECOVER_USAGE}\n       ${CAPTURE_USAGE}`;

export interface GraphArgs {
    stack: string;
    cwd?: string;
    png: boolean;
    out?: string;
    stripPrefix?: string;
    details: boolean;
    direction?: "LR" | "TB";
}

/** Parses the arguments after `graph`; throws StackGraphError with the usage on anything unexpected. */
export function parseGraphArgs(argv: string[]): GraphArgs {
    const a: Partial<GraphArgs> & { png: boolean; details: boolean } = { png: false, details: false };
    const value = (i: number, flag: string) => {
        const v = argv[i + 1];
        if (v === undefined || v.startsWith("-")) throw new StackGraphError(`${flag} needs a value (usage: ${GRAPH_USAGE})`);
        return v;
    };
    for (let i = 0; i < argv.length; i++) {
        const f = argv[i]!;
        const [flag, inline] = f.startsWith("--") && f.includes("=") ? [f.slice(0, f.indexOf("=")), f.slice(f.indexOf("=") + 1)] : [f, undefined];
        const take = () => (inline !== undefined ? inline : value(i++, flag));
        switch (flag) {
            case "--stack": case "-s": a.stack = take(); break;
            case "--cwd": case "-C": a.cwd = take(); break;
            case "-o": case "--output": a.out = take(); break;
            case "--strip-prefix": a.stripPrefix = take(); break;
            case "--direction": {
                const d = take();
                if (d !== "LR" && d !== "TB") throw new StackGraphError(`--direction must be LR or TB, not "${d}"`);
                a.direction = d;
                break;
            }
            case "--png": a.png = true; break;
            case "--details": a.details = true; break;
            default: throw new StackGraphError(`unknown argument "${f}" (usage: ${GRAPH_USAGE})`);
        }
    }
    if (!a.stack) throw new StackGraphError("which stack? pass --stack NAME (pulumi stack ls lists them)");
    return a as GraphArgs;
}

export async function main(argv: string[]): Promise<number> {
    const [verb, ...rest] = argv;
    if (verb === "leftovers") {
        try {
            return await leftoversCommand(parseLeftoverArgs(rest, `usage: ${LEFTOVERS_USAGE}`));
        } catch (e) {
            console.error(`pulumi-netns leftovers: ${(e as Error).message}`);
            return 1;
        }
    }
    if (verb === "recover") return recoverCommand(rest);
    if (verb === "capture") {
        try {
            const a = parseCaptureArgs(rest);
            const exported = await exportStack({ stack: a.stack, cwd: a.cwd });
            return await captureCommand(a, stackNamespaces(exported), `stack ${a.stack}`);
        } catch (e) {
            if (!(e instanceof CaptureError) && !(e instanceof StackGraphError)) throw e;
            console.error(`pulumi-netns capture: ${e.message}`);
            return e instanceof CaptureError && /^(unknown argument|which|--)/.test(e.message) ? 2 : 1;
        }
    }
    if (verb !== "graph") {
        console.error(verb === undefined || verb === "help" || verb === "--help" ? USAGE : `unknown command "${verb}"\n${USAGE}`);
        return verb === "help" || verb === "--help" ? 0 : 2;
    }
    try {
        const a = parseGraphArgs(rest);
        const exported = await exportStack({ stack: a.stack, cwd: a.cwd });
        const out = resolve(a.out ?? `${a.stack.split("/").pop()}.svg`);
        const files = await writePicture(exported, out.endsWith(".svg") ? out : `${out}.svg`, {
            png: a.png, stripPrefix: a.stripPrefix, details: a.details, direction: a.direction, title: a.stack,
            upHint: `pulumi up --stack ${a.stack}${a.cwd ? ` --cwd ${a.cwd}` : ""}`,
        });
        console.log(files.svg);
        if (files.png) console.log(files.png);
        return 0;
    } catch (e) {
        if (!(e instanceof StackGraphError)) throw e;
        console.error(`pulumi-netns graph: ${e.message}`);
        return 1;
    }
}

if (require.main === module) {
    main(process.argv.slice(2)).then((code) => process.exit(code), (e: Error) => {
        console.error(`pulumi-netns graph: ${e.message}`);
        process.exit(1);
    });
}
