// Recovering a stack after `pulumi up` was interrupted hard (SIGKILL, OOM, power loss): the CLI
// could not finish, so the stack is left
//   1. locked: a file:// backend keeps the lock file of the dead run, and every later update
//      fails with "the stack is currently locked by 1 lock(s)";
//   2. with pending operations: every create that was running when the CLI died is recorded as
//      "creating" in `pending_operations` (`pulumi stack export`), without an ID. The object may
//      exist on the host, whole or half-made (a namespace whose loopback is still down; the empty
//      file of an `ip netns add` killed midway, which the provider replaces), or not at all. `pulumi up` only warns about them and creates those resources again, which fails
//      with "File exists" for every object that the dead run did make.
//   3. rarely, an unreadable checkpoint: the file backend writes each checkpoint to a temporary
//      file that it renames into place, but the `.attrs` file beside it (content type and md5) is
//      written in place; killed at that moment, `<stack>.json.attrs` is left empty and every
//      command on the stack fails with "failed to load checkpoint: EOF". (The unfinished
//      temporary `<stack>.json.<hex>.tmp` left beside it is harmless.)
// The recovery, step by step (each is a plain CLI command or file operation; `recover` runs them
// in order):
//   0. an empty or unreadable `.attrs` file beside the stack's checkpoint is removed (the
//      checkpoint itself is whole: it was renamed into place; the attributes are optional);
//   1. `pulumi cancel --yes` removes the stale lock, after making sure that the process named
//      in the lock is gone (cancelling a live update would let two runs write one state);
//   1b. the processes the dead run left running (language host, provider launcher and host,
//      other plugins: the CLI's children, which nothing stops when it is SIGKILLed) are ended by
//      PID and start time, as the provider recorded them for this stack (provider/ownership/runs.ts);
//   2. `pulumi stack export` lists the pending creates; each one's ID is computed from its
//      recorded inputs, exactly as create would (provider/impl.ts: the kind's `id`);
//   3. `pulumi refresh --clear-pending-creates --yes` drops them from the state (and brings the
//      recorded resources in line with the host; pending updates and deletes go with it);
//   2b. the namespaces on the host marked by this stack (provider/ownership/owner.ts: the alias of their
//      `lo`) that its state does not record: a run that died before writing its state made them
//      (under PULUMI_SKIP_CHECKPOINTS the engine records neither the resources nor a pending
//      operation until the end), so they, and everything in them, are this stack's to take over;
//   4. `pulumi up --yes` with PULUMI_NETNS_RECOVERY, a grant for this stack and this one run
//      (provider/ownership/recovery.ts: its token file is removed once the up has ended): the provider
//      takes over exactly the listed objects, and every object that lives only in the listed
//      namespaces, as with adopt: true (finishing what is half-made: loopback up, the peer end
//      up, ...) and creates everything else as usual;
//   5. `pulumi preview --expect-no-changes` shows that the stack has converged.
// Usage: npx pulumi-netns recover --stack NAME [--cwd PROJECT_DIR]   (cli/main.ts; or: npm run lab -- recover LESSON)
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { kinds, type Kind } from "../provider/kinds/registry";
import { validate } from "../provider/kinds/schemas";
import { namespaceMarks } from "../provider/leftovers";
import { isHostNamespace } from "../provider/host/hostns";
import { sameOwner, type Mark } from "../provider/ownership/owner";
import { issueGrant } from "../provider/ownership/recovery";
import { endOrphans, type Proc } from "../provider/ownership/runs";

export interface CliResult {
    exitCode: number;
    stdout: string;
    stderr: string;
}

/** Runs `pulumi ARGS` against the stack (the caller adds --stack, --cwd, --non-interactive). */
export type Cli = (args: string[], extraEnv?: Record<string, string>) => Promise<CliResult>;

export interface Lock {
    file: string;
    pid: number;
    hostname: string;
    /** Whether the process that holds it still runs (on this host). */
    alive: boolean;
}

export interface PendingCreate {
    urn: string;
    kind: Kind;
    /** The ID the object has when it exists: what create would have returned. */
    id: string;
}

export interface Deployment {
    resources?: { urn: string; id?: string; type: string }[];
    pending_operations?: { type: string; resource: { urn: string; type: string; inputs?: Record<string, unknown> } }[];
}

const TYPE = /^pulumi-nodejs:dynamic\/netns:([A-Za-z]+)$/;

function isAlive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch (e) {
        return (e as NodeJS.ErrnoException).code === "EPERM";
    }
}

/** The locks of a stack in a file:// backend (`.pulumi/locks/<org>/<project>/<stack>/*.json`). */
export function locks(backendUrl: string, project: string, stack: string): Lock[] {
    if (!backendUrl.startsWith("file://")) return [];
    const root = join(backendDir(backendUrl) ?? "", ".pulumi", "locks");
    const out: Lock[] = [];
    if (!existsSync(root)) return out;
    for (const org of readdirSync(root)) {
        const dir = join(root, org, project, stack);
        if (!existsSync(dir)) continue;
        for (const f of readdirSync(dir).filter((n) => n.endsWith(".json"))) {
            const file = join(dir, f);
            const l = JSON.parse(readFileSync(file, "utf8")) as { pid: number; hostname: string };
            out.push({ file, pid: l.pid, hostname: l.hostname, alive: l.hostname === hostname() ? isAlive(l.pid) : true });
        }
    }
    return out;
}

/** The directory of a file:// backend, or undefined for another backend. */
function backendDir(backendUrl: string): string | undefined {
    return backendUrl.startsWith("file://") ? backendUrl.slice("file://".length).replace(/\?.*$/, "") : undefined;
}

/**
 * Step 0: removes an empty or unreadable `.attrs` file beside the stack's checkpoint files
 * (`.pulumi/stacks/<project>/<stack>.json[.gz][.bak].attrs`). Returns the files removed.
 */
export function repairCheckpoint(backendUrl: string, project: string, stack: string): string[] {
    const dir = backendDir(backendUrl);
    if (!dir) return [];
    const stacks = join(dir, ".pulumi", "stacks", project);
    if (!existsSync(stacks)) return [];
    const removed: string[] = [];
    for (const f of readdirSync(stacks)) {
        if (!f.startsWith(`${stack}.json`) || !f.endsWith(".attrs")) continue;
        const file = join(stacks, f);
        try {
            JSON.parse(readFileSync(file, "utf8"));
        } catch {
            rmSync(file);
            removed.push(file);
        }
    }
    return removed;
}

/** The pending creates of an exported deployment, with the ID each object has if it exists. */
export function pendingCreates(d: Deployment): PendingCreate[] {
    const out: PendingCreate[] = [];
    for (const op of d.pending_operations ?? []) {
        if (op.type !== "creating") continue;
        const kind = TYPE.exec(op.resource.type)?.[1] as Kind | undefined;
        if (!kind || !(kind in kinds)) continue; // not ours
        const { inputs } = validate(kind, op.resource.inputs ?? {});
        if (!inputs) continue; // inputs that never passed check: nothing was created
        out.push({ urn: op.resource.urn, kind, id: (kinds[kind].id as (a: unknown) => string)(inputs) });
    }
    return out;
}

/**
 * Step 2b: the namespaces marked by `owner` that the deployment does not record (pure: the
 * marks come from the host).
 */
export function unrecordedOwnNamespaces(d: Deployment, owner: { project: string; stack: string }, marks: { namespace: string; mark: Mark }[]): string[] {
    const recorded = new Set((d.resources ?? []).filter((r) => TYPE.exec(r.type)?.[1] === "Namespace" && r.id).map((r) => r.id));
    return marks.filter((m) => sameOwner(m.mark, owner) && !recorded.has(m.namespace)).map((m) => m.namespace).sort();
}

export interface Recovery {
    /** Unreadable checkpoint attribute files removed (step 0). */
    repaired: string[];
    locksRemoved: Lock[];
    pendingOperations: number;
    adopted: PendingCreate[];
    /** Namespaces marked by this stack but not in its state, taken over with all they hold (step 2b). */
    adoptedNamespaces: string[];
    /** The dead runs' processes that were still running and were ended (step 1b). */
    ended: Proc[];
    /** What `pulumi up` printed. */
    up: CliResult;
}

export class RecoveryError extends Error {
    constructor(step: string, r: CliResult | undefined, hint: string) {
        super(`recovery stopped at ${step}: ${hint}` + (r ? `\n${r.stdout.trim()}\n${r.stderr.trim()}` : ""));
        this.name = "RecoveryError";
    }
}

async function must(cli: Cli, step: string, args: string[], extraEnv?: Record<string, string>): Promise<CliResult> {
    const r = await cli(args, extraEnv);
    if (r.exitCode !== 0) throw new RecoveryError(step, r, `pulumi ${args.join(" ")} exited ${r.exitCode}`);
    return r;
}

/**
 * Runs the five steps above. `backendUrl` and `project` locate the lock files; `log` hears
 * what each step does.
 */
export async function recover(cli: Cli, where: { backendUrl: string; project: string; stack: string }, log: (line: string) => void = () => {},
    marks: () => Promise<{ namespace: string; mark: Mark }[]> = () => namespaceMarks(),
    leftProcesses: (owner: { project: string; stack: string }, log: (line: string) => void) => Promise<Proc[]> = endOrphans): Promise<Recovery> {
    // 0. The checkpoint's attributes.
    const repaired = repairCheckpoint(where.backendUrl, where.project, where.stack);
    if (repaired.length) log(`removed the unreadable checkpoint attributes ${repaired.join(", ")}`);
    // 1. The lock.
    const held = locks(where.backendUrl, where.project, where.stack);
    const live = held.filter((l) => l.alive);
    if (live.length) {
        throw new RecoveryError("the lock", undefined, `the stack is locked by a process that still runs (${live.map((l) => `pid ${l.pid} on ${l.hostname}`).join(", ")}): let it finish, or stop it first`);
    }
    if (held.length) {
        await must(cli, "the lock", ["cancel", "--yes"]);
        log(`removed ${held.length} stale lock(s) of dead process(es) ${held.map((l) => l.pid).join(", ")} (pulumi cancel)`);
    }
    // 1b. What the dead run left running.
    const ended = await leftProcesses(where, log);
    log(ended.length ? `ended ${ended.length} process(es) of dead runs of this stack` : "no process of a dead run of this stack left");
    // 2. The pending operations.
    const d = (JSON.parse((await must(cli, "export", ["stack", "export"])).stdout) as { deployment: Deployment }).deployment;
    const pending = pendingCreates(d);
    const count = d.pending_operations?.length ?? 0;
    log(`${count} pending operation(s); creates to take over if their object exists: ${pending.map((p) => `${p.kind}:${p.id}`).join(", ") || "none"}`);
    // 2b. What the marks say this stack made and its state does not know.
    const unrecorded = unrecordedOwnNamespaces(d, where, await marks());
    // Never the host's own namespace, whatever mark its lo carries (provider/host/hostns.ts).
    const adoptedNamespaces: string[] = [];
    for (const ns of unrecorded) {
        if (await isHostNamespace(ns)) log(`left out ${ns}: /run/netns/${ns} is the host's own network namespace, which recovery never takes over`);
        else adoptedNamespaces.push(ns);
    }
    if (adoptedNamespaces.length) log(`namespaces marked by stack ${where.project}/${where.stack} that its state does not record, to take over with what they hold: ${adoptedNamespaces.join(", ")}`);
    // 3. Clear them; the refresh also reconciles the recorded resources with the host.
    await must(cli, "refresh", ["refresh", "--yes", "--skip-preview", "--clear-pending-creates"]);
    // 4. Up, adopting exactly the objects the dead run was creating, by a grant that holds for
    // this stack during this one up (removed whatever the up does).
    const grant = issueGrant(where, pending.map((p) => `${p.kind}:${p.id}`), adoptedNamespaces);
    let up: CliResult;
    try {
        up = await must(cli, "up", ["up", "--yes", "--skip-preview"], { PULUMI_NETNS_RECOVERY: grant.value });
    } finally {
        grant.revoke();
    }
    log("up: done");
    // 5. Converged.
    await must(cli, "the no-change preview", ["preview", "--expect-no-changes"]);
    log("preview --expect-no-changes: the stack has converged");
    return { repaired, locksRemoved: held, pendingOperations: count, adopted: pending, adoptedNamespaces, ended, up };
}

/** The project name of a Pulumi project directory (Pulumi.yaml). */
export function projectName(dir: string): string {
    const m = /^name:\s*(\S+)/m.exec(readFileSync(join(dir, "Pulumi.yaml"), "utf8"));
    if (!m?.[1]) throw new Error(`no project name in ${join(dir, "Pulumi.yaml")}`);
    return m[1];
}

/** `recover` with the `pulumi` on PATH and this process's environment. */
export async function recoverStack(stack: string, cwd: string, log: (line: string) => void = console.log): Promise<Recovery> {
    const cli: Cli = async (args, extraEnv = {}) => {
        const r = await execa("pulumi", [...args, "--stack", stack, "--non-interactive", "--cwd", cwd], { env: extraEnv, reject: false });
        return { exitCode: r.exitCode ?? 1, stdout: String(r.stdout), stderr: String(r.stderr) };
    };
    // The backend locates the lock files: the environment's, else the one the CLI uses here
    // (`pulumi login`, or the project's `backend.url`).
    let backendUrl = process.env.PULUMI_BACKEND_URL ?? "";
    if (!backendUrl) {
        const who = await execa("pulumi", ["whoami", "--json", "--non-interactive", "--cwd", cwd], { reject: false });
        try {
            backendUrl = (JSON.parse(String(who.stdout)) as { url?: string }).url ?? "";
        } catch {
            // not logged in: the recovery's `pulumi` commands say so
        }
    }
    return recover(cli, { backendUrl, project: projectName(cwd), stack }, log);
}

export const RECOVER_USAGE = "pulumi-netns recover --stack NAME [--cwd PROJECT_DIR]";

/** Parses the arguments after `recover`; throws with the usage on anything unexpected. */
export function parseRecoverArgs(argv: string[]): { stack: string; cwd?: string } {
    const a: { stack?: string; cwd?: string } = {};
    for (let i = 0; i < argv.length; i++) {
        const f = argv[i]!;
        const [flag, inline] = f.startsWith("--") && f.includes("=") ? [f.slice(0, f.indexOf("=")), f.slice(f.indexOf("=") + 1)] : [f, undefined];
        const take = () => {
            if (inline !== undefined) return inline;
            const v = argv[++i];
            if (v === undefined || v.startsWith("-")) throw new Error(`${flag} needs a value (usage: ${RECOVER_USAGE})`);
            return v;
        };
        switch (flag) {
            case "--stack": case "-s": a.stack = take(); break;
            case "--cwd": case "-C": a.cwd = take(); break;
            default: throw new Error(`unknown argument "${f}" (usage: ${RECOVER_USAGE})`);
        }
    }
    if (!a.stack) throw new Error(`which stack? pass --stack NAME (usage: ${RECOVER_USAGE})`);
    return a.cwd === undefined ? { stack: a.stack } : { stack: a.stack, cwd: a.cwd };
}

/** The package command `pulumi-netns recover ...` (cli/main.ts): exit 0 once converged, else 1 with why. */
export async function recoverCommand(argv: string[]): Promise<number> {
    let a: { stack: string; cwd?: string };
    try {
        a = parseRecoverArgs(argv);
    } catch (e) {
        console.error(`pulumi-netns recover: ${(e as Error).message}`);
        return 2;
    }
    try {
        await recoverStack(a.stack, a.cwd ?? process.cwd());
        return 0;
    } catch (e) {
        console.error(`pulumi-netns recover: ${(e as Error).message}`);
        return 1;
    }
}

if (require.main === module) {
    recoverCommand(process.argv.slice(2)).then((code) => process.exit(code));
}
