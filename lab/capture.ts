// The capture verbs: `npm run lab -- capture LESSON NAMESPACE [INTERFACE] [FILTER...]` (lab/cli.ts)
// and `npx pulumi-netns capture --stack NAME --namespace NS ...` (cli/main.ts). Both read the
// stack's namespaces from `pulumi stack export` (graph/stack.ts, as graph does), refuse any other,
// and run tcpdump through the host layer (provider/host/capture.ts): decoded lines on stdout as
// they come, until Ctrl-C or the count; tcpdump's tally on stderr; no tcpdump left on any path.
import { CaptureError, refuseNamespace, startCapture, type CaptureSpec } from "../provider/host/capture";

export const CAPTURE_USAGE = "pulumi-netns capture --stack NAME --namespace NS [--interface IF] [--count N] [--write FILE.pcap] [--cwd DIR] [-- FILTER...]";
export const LAB_CAPTURE_USAGE = "npm run lab -- capture LESSON NAMESPACE [INTERFACE] [--count N] [--write FILE.pcap] [FILTER...]";

const NAMESPACE_TYPE = "pulumi-nodejs:dynamic/netns:Namespace";

/** The names of the namespaces a stack holds, from its `pulumi stack export`. */
export function stackNamespaces(exported: unknown): string[] {
    const rs = (exported as { deployment?: { resources?: unknown } } | null)?.deployment?.resources;
    if (!Array.isArray(rs)) return [];
    const names = rs.flatMap((r: { type?: unknown; delete?: unknown; outputs?: { name?: unknown } }) =>
        r && r.type === NAMESPACE_TYPE && !r.delete && typeof r.outputs?.name === "string" ? [r.outputs.name] : []);
    return [...new Set(names)].sort();
}

export interface CaptureArgs extends CaptureSpec {
    stack: string;
    cwd?: string | undefined;
}

const countOf = (v: string, usage: string): number => {
    if (!/^[0-9]+$/.test(v) || Number(v) < 1) throw new CaptureError(`--count must be a whole number of packets, 1 or more, not "${v}" (usage: ${usage})`);
    return Number(v);
};

/** The arguments after `capture` of the package's command; throws CaptureError with the usage on anything unexpected. */
export function parseCaptureArgs(argv: readonly string[]): CaptureArgs {
    const a: Partial<CaptureArgs> = {};
    let filter: string[] = [];
    for (let i = 0; i < argv.length; i++) {
        const f = argv[i]!;
        if (f === "--") { filter = argv.slice(i + 1); break; }
        const [flag, inline] = f.startsWith("--") && f.includes("=") ? [f.slice(0, f.indexOf("=")), f.slice(f.indexOf("=") + 1)] : [f, undefined];
        const take = () => {
            if (inline !== undefined) return inline;
            const v = argv[++i];
            if (v === undefined || v.startsWith("-")) throw new CaptureError(`${flag} needs a value (usage: ${CAPTURE_USAGE})`);
            return v;
        };
        switch (flag) {
            case "--stack": case "-s": a.stack = take(); break;
            case "--cwd": case "-C": a.cwd = take(); break;
            case "--namespace": case "-n": a.namespace = take(); break;
            case "--interface": case "-i": a.iface = take(); break;
            case "--count": case "-c": a.count = countOf(take(), CAPTURE_USAGE); break;
            case "--write": case "-w": a.write = take(); break;
            default: throw new CaptureError(`unknown argument "${f}" (usage: ${CAPTURE_USAGE}; a filter goes after --)`);
        }
    }
    if (!a.stack) throw new CaptureError(`which stack? pass --stack NAME (usage: ${CAPTURE_USAGE})`);
    if (!a.namespace) throw new CaptureError(`which namespace? pass --namespace NS, one of the stack's (usage: ${CAPTURE_USAGE})`);
    return { ...a, filter } as CaptureArgs;
}

export interface LabCaptureArgs {
    namespace: string;
    /** The word after NAMESPACE, when it may be an interface: decided against the namespace's interfaces (labCaptureSpec). */
    words: string[];
    count?: number | undefined;
    write?: string | undefined;
}

/** The arguments of `npm run lab -- capture LESSON` after LESSON: NAMESPACE, then words and the flags --count N, --write FILE anywhere. */
export function parseLabCaptureArgs(argv: readonly string[]): LabCaptureArgs {
    const words: string[] = [];
    let count: number | undefined;
    let write: string | undefined;
    for (let i = 0; i < argv.length; i++) {
        const f = argv[i]!;
        const [flag, inline] = f.startsWith("--") && f.includes("=") ? [f.slice(0, f.indexOf("=")), f.slice(f.indexOf("=") + 1)] : [f, undefined];
        const take = () => {
            if (inline !== undefined) return inline;
            const v = argv[++i];
            if (v === undefined || v.startsWith("-")) throw new CaptureError(`${flag} needs a value (usage: ${LAB_CAPTURE_USAGE})`);
            return v;
        };
        if (flag === "--count") count = countOf(take(), LAB_CAPTURE_USAGE);
        else if (flag === "--write") write = take();
        else if (f === "--") words.push(...argv.slice(i + 1)), (i = argv.length);
        else if (f.startsWith("-") && words.length === 0) throw new CaptureError(`unknown argument "${f}" (usage: ${LAB_CAPTURE_USAGE})`);
        else words.push(f);
    }
    const [namespace, ...rest] = words;
    if (!namespace) throw new CaptureError(`which namespace? (usage: ${LAB_CAPTURE_USAGE})`);
    return { namespace, words: rest, count, write };
}

/**
 * The lab's positional words made into a spec: NAMESPACE is the lesson's name for it (the
 * prefix added) or its full name; the next word is the interface when it is "any" or one of that
 * namespace's interfaces (`interfaces`), and the filter starts there otherwise.
 */
export function labCaptureSpec(a: LabCaptureArgs, prefix: string, held: readonly string[], interfaces: (ns: string) => Promise<string[]>): Promise<CaptureSpec> {
    const namespace = held.includes(`${prefix}${a.namespace}`) ? `${prefix}${a.namespace}` : a.namespace;
    return (async () => {
        const [first, ...more] = a.words;
        const isIface = first !== undefined && (first === "any" || (held.includes(namespace) && (await interfaces(namespace)).includes(first)));
        return { namespace, iface: isIface && first !== "any" ? first : undefined, count: a.count, write: a.write, filter: isIface ? more : a.words };
    })();
}

/**
 * Runs a capture for a verb: refused unless `held` has the namespace; prints each decoded line on
 * `print` as it comes, until the count or SIGINT (Ctrl-C), then tcpdump's tally on `note`.
 * Returns the exit code (0: ended by the count or by Ctrl-C; 1: tcpdump failed).
 */
export async function captureCommand(spec: CaptureSpec, held: readonly string[], whose: string,
    io: { print: (l: string) => void; note: (l: string) => void } = { print: (l) => console.log(l), note: (l) => console.error(l) }): Promise<number> {
    await refuseNamespace(spec.namespace, held, whose);
    const capture = await startCapture(spec, { onLine: io.print });
    io.note(`capturing in ${spec.namespace} on ${spec.iface ?? "any"}${spec.filter?.length ? ` (${spec.filter.join(" ")})` : ""}${spec.write ? `, writing ${spec.write}` : ""}: ${spec.count !== undefined ? `${spec.count} packets` : "Ctrl-C ends it"} (tcpdump PID ${capture.pid})`);
    let interrupted = false;
    const onSignal = () => { interrupted = true; void capture.stop(); };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    try {
        const r = await capture.done;
        for (const l of r.stderr.split("\n").map((x) => x.trim())) if (/^\d+ packets? (captured|received by filter|dropped by kernel)$/.test(l)) io.note(l);
        if (spec.write) io.note(`wrote ${spec.write} (read it with: tcpdump -tn -r ${spec.write})`);
        if (interrupted || r.exitCode === 0) return 0;
        io.note(`tcpdump ended with ${r.exitCode !== undefined ? `exit ${r.exitCode}` : r.signal}: ${r.stderr.trim().split("\n").pop() ?? ""}`);
        return 1;
    } finally {
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
        await capture.stop();
    }
}
