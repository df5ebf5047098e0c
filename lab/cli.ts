// npm run lab -- <verb> [lesson] [key=value ...]
//   list                 the lessons
//   preview LESSON       what `up` would do (the engine's plan)
//   up LESSON [k=v ...]  set the given config (steps), apply, then run the lesson's checks
//   verify LESSON        run the lesson's checks against what is running
//   destroy LESSON       remove everything the lesson made
//   recover LESSON       after an interrupted `up` (killed, crashed): unlock, adopt what it made, converge (lab/recover.ts)
//   leftovers [--remove] [--prefix P]  objects marked by a lessons stack that no longer has them (provider/leftovers.ts)
//   graph LESSON [--png] the picture of what is running: LESSON.svg (and LESSON.png) in the current directory (graph/)
//   capture LESSON NAMESPACE [INTERFACE] [--count N] [--write FILE.pcap] [FILTER...]
//                        tcpdump -tn in one of the lesson's namespaces (all its interfaces by default, as
//                        seed 000's `-i any`): decoded lines until Ctrl-C or N packets (lab/capture.ts)
//   env                  the exports for plain `pulumi` in a shell (handled by scripts/lab.sh)
// The stack is named after the lesson. scripts/lab.sh installs whatever is missing first.
// Before `up` (and `preview`), lab/precheck.ts stops the run when a namespace the lesson needs
// belongs to another stack or was made by hand, before the engine starts.
import { resolve } from "node:path";
import { execa } from "execa";
import { lessons } from "../stacks/lessons";
import { formatOutcome, runChecks } from "./checks";
import { recoverStack } from "./recover";
import { precheck, PROJECT } from "./precheck";
import { leftoversCommand, parseLeftoverArgs } from "../provider/leftovers";
import { StackGraphError } from "../graph/render";
import { exportStack, writePicture } from "../graph/stack";
import { CaptureError } from "../provider/host/capture";
import { ipJson } from "../provider/host/run";
import { captureCommand, labCaptureSpec, parseLabCaptureArgs, stackNamespaces } from "./capture";

const root = `${__dirname}/../..`;

async function pulumi(args: string[], opts: { capture?: boolean } = {}) {
    return execa("pulumi", [...args, "--non-interactive"], { cwd: root, stdio: opts.capture ? "pipe" : "inherit", reject: false });
}

async function stackConfig(stack: string): Promise<Record<string, string>> {
    const r = await pulumi(["config", "--json", "-s", stack], { capture: true });
    if (r.exitCode !== 0) throw new Error(`no stack "${stack}": run npm run lab -- up ${stack} first\n${String(r.stderr)}`);
    const raw = JSON.parse(String(r.stdout)) as Record<string, { value?: string }>;
    return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k.replace(/^[^:]+:/, ""), String(v.value ?? "")]));
}

async function verify(name: string, stackConfigRead = stackConfig(name)): Promise<boolean> {
    const lesson = lessons[name]!;
    const config = await stackConfigRead;
    const steps = Object.entries(config).filter(([k]) => k !== "prefix" && k !== "lesson");
    if (steps.length) console.log(`Steps in effect (stack config; they survive destroy): ${steps.map(([k, v]) => `${k}=${v}`).join(" ")}`);
    const outcomes = await runChecks(lesson.checks(config.prefix ?? "", config));
    for (const o of outcomes) console.log(formatOutcome(o));
    const failed = outcomes.filter((o) => !o.ok).length;
    console.log(`\n${name}: ${outcomes.length - failed} passed, ${failed} failed`);
    return failed === 0;
}

/** `graph LESSON [--png]`: the picture of the lesson's stack, in the directory npm was run from. */
async function graph(name: string, flags: string[]): Promise<number> {
    const bad = flags.filter((f) => f !== "--png");
    if (bad.length) {
        console.error(`usage: npm run lab -- graph ${name} [--png]   (not: ${bad.join(" ")})`);
        return 2;
    }
    const upHint = `npm run lab -- up ${name}`;
    try {
        const exported = await exportStack({ stack: name, cwd: root, upHint, missing: `lesson ${name} was never brought up: run ${upHint}` });
        const files = await writePicture(exported, resolve(process.env.INIT_CWD ?? process.cwd(), `${name}.svg`), { png: flags.includes("--png"), title: `lesson ${name}`, upHint });
        console.log(files.svg);
        if (files.png) console.log(files.png);
        return 0;
    } catch (e) {
        if (!(e instanceof StackGraphError)) throw e;
        console.error(`graph ${name}: ${e.message}`);
        return 1;
    }
}

/** `capture LESSON NAMESPACE [INTERFACE] [FILTER...]`: in a namespace the lesson's stack holds, nowhere else. */
async function capture(name: string, rest: string[]): Promise<number> {
    const upHint = `npm run lab -- up ${name}`;
    try {
        const a = parseLabCaptureArgs(rest);
        const exported = await exportStack({ stack: name, cwd: root, upHint, missing: `lesson ${name} was never brought up: run ${upHint}` });
        const held = stackNamespaces(exported);
        const prefix = (await stackConfig(name)).prefix ?? "";
        const interfaces = async (ns: string) => (await ipJson<{ ifname: string }>({ kind: "Capture", name: ns, op: "read" }, ["ip", "-n", ns, "-j", "link", "show"])).value.map((l) => l.ifname);
        const spec = await labCaptureSpec(a, prefix, held, interfaces);
        return await captureCommand(spec, held, `lesson ${name}`);
    } catch (e) {
        if (!(e instanceof CaptureError) && !(e instanceof StackGraphError)) throw e;
        console.error(`capture ${name}: ${e.message}`);
        return e instanceof CaptureError && /^(unknown argument|which|--)/.test(e.message) ? 2 : 1;
    }
}

async function main(argv: string[]): Promise<number> {
    const [verb, name, ...rest] = argv;
    if (!verb || verb === "list" || verb === "help") {
        console.log("Lessons (npm run lab -- up LESSON):");
        for (const l of Object.values(lessons)) console.log(`  ${l.name.padEnd(18)} ${l.summary}`);
        console.log("\nVerbs: list, preview, up, verify, destroy, recover, graph, capture, leftovers, env");
        return 0;
    }
    if (verb === "leftovers") {
        // Only the lessons project, judged against the lab's backend (scripts/setup.sh).
        const usage = "usage: npm run lab -- leftovers [--remove] [--prefix PREFIX]";
        const o = parseLeftoverArgs(argv.slice(1), usage);
        if (o.backendUrl !== undefined || o.project !== undefined || o.org !== undefined) throw new Error(`${usage} (the lab's backend and project are fixed; for other projects: npx pulumi-netns leftovers)`);
        return leftoversCommand({ ...o, project: PROJECT });
    }
    if (!name || !lessons[name]) {
        console.error(`usage: npm run lab -- ${verb} LESSON   (LESSON is one of: ${Object.keys(lessons).join(", ")})`);
        return 2;
    }
    if (verb === "graph") return graph(name, rest);
    if (verb === "capture") return capture(name, rest);
    const bad = rest.filter((a) => !/^[A-Za-z][A-Za-z0-9_-]*=.*$/.test(a));
    if (bad.length) {
        console.error(`not a key=value setting: ${bad.join(" ")}`);
        return 2;
    }
    switch (verb) {
        case "preview":
        case "up": {
            const settings = Object.fromEntries(rest.map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]));
            const found = (await precheck(root, name, name, settings)).conflicts;
            if (found.length) {
                for (const c of found) console.error(c.message);
                console.error(`\n${name}: not started (nothing was changed)`);
                return 1;
            }
            await pulumi(["stack", "select", "--create", name], { capture: true });
            for (const kv of rest) {
                const [k, ...v] = kv.split("=");
                const r = await pulumi(["config", "set", "-s", name, k!, v.join("=")]);
                if (r.exitCode !== 0) return 1;
            }
            if (verb === "preview") return (await pulumi(["preview", "-s", name])).exitCode ?? 1;
            // No separate preview first: it would run the program and start the provider once more
            // (half of up's time here) only to print the plan that the update prints step by
            // step as it makes it ("+ ... creating", "~ ... updating", "- ... deleting") and
            // sums up at the end. `npm run lab -- preview` shows the plan before anything changes.
            // The config the checks need is read while the update runs (it is set above).
            const config = stackConfig(name);
            config.catch(() => undefined);
            const up = await pulumi(["up", "--yes", "--skip-preview", "-s", name]);
            if (up.exitCode !== 0) return up.exitCode ?? 1;
            console.log(`\nChecks for ${name}:`);
            return (await verify(name, config)) ? 0 : 1;
        }
        case "verify":
            return (await verify(name)) ? 0 : 1;
        case "destroy":
            // No separate preview either: it would list the deletes that the run prints as it
            // makes them ("- ... deleting"), in the same reverse order.
            return (await pulumi(["destroy", "--yes", "--skip-preview", "-s", name])).exitCode ?? 1;
        case "recover":
            await recoverStack(name, root);
            console.log(`\nChecks for ${name}:`);
            return (await verify(name)) ? 0 : 1;
        default:
            console.error(`unknown verb "${verb}": use list, preview, up, verify, destroy, recover, graph, capture, leftovers or env`);
            return 2;
    }
}

main(process.argv.slice(2)).then((code) => process.exit(code), (e: Error) => {
    console.error(e.message);
    process.exit(1);
});
