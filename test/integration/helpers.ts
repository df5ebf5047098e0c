// Shared by the integration tests: drive `providers[kind]` the way the engine does (check, then
// create with the checked inputs), and look at the host independently with `ip -j`.
// Every namespace a test makes is named with its file's prefix; nothing here touches the host's
// own namespace except to read it.
import { chmodSync, mkdtempSync, rmSync, writeFileSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { providers } from "../../provider/impl";
import { exec, NetnsError, quote } from "../../provider/host/run";
import type { Kind } from "../../provider/kinds/schemas";

type Props = Record<string, unknown>;

const who = { kind: "Test", name: "integration", op: "read" as const };

/** Runs a command on the host (as the tests, not the provider); it must succeed. */
export async function sh(argv: string[]): Promise<string> {
    const r = await exec(who, argv);
    if (r.exitCode !== 0) throw new Error(`${argv.join(" ")} exited ${r.exitCode}: ${r.stderr}`);
    return r.stdout;
}

/** Runs `ip -n NS -j ARGS...` and parses its JSON; a failing command (gone, absent) is []. */
export async function ipj<T = Record<string, unknown>>(ns: string, args: string[]): Promise<T[]> {
    const r = await exec(who, ["ip", "-n", ns, "-j", ...args]);
    if (r.exitCode !== 0) return [];
    const text = r.stdout.trim();
    return text ? (JSON.parse(text) as T[]) : [];
}

/** The IPv6 link-local address of a device, read with `ip -j -6 address show`, or "" when it has none. */
export async function linkLocal(ns: string, dev: string): Promise<string> {
    const l = await ipj<{ addr_info: { family: string; local: string; scope: string }[] }>(ns, ["-6", "address", "show", "dev", dev]);
    return l[0]?.addr_info.find((a) => a.family === "inet6" && a.scope === "link")?.local ?? "";
}

export interface LinkJson {
    ifindex: number;
    ifname: string;
    flags: string[];
    mtu: number;
    address: string;
    operstate: string;
    /** The peer's name, when it is in the same namespace. */
    link?: string;
    /** The peer's ifindex, when it is in another namespace (link_netnsid). */
    link_index?: number;
    link_netnsid?: number;
    linkinfo?: { info_kind?: string };
}

/** One link in a namespace, with details, or undefined when it is not there. */
export async function link(ns: string, dev: string): Promise<LinkJson | undefined> {
    return (await ipj<LinkJson>(ns, ["-d", "link", "show", "dev", dev]))[0];
}

export async function linkNames(ns: string): Promise<string[]> {
    return (await ipj<LinkJson>(ns, ["link", "show"])).map((l) => l.ifname).sort();
}

/** The namespaces on the host, as `ip -j netns list` prints them. */
export async function netnsList(): Promise<string[]> {
    const out = (await sh(["ip", "-j", "netns", "list"])).trim();
    return out ? (JSON.parse(out) as { name: string }[]).map((n) => n.name) : [];
}

/** The name, as seen from `ns`, of the namespace behind a link-netnsid. */
export async function nsidName(ns: string, nsid: number): Promise<string | undefined> {
    return (await ipj<{ nsid: number; name?: string }>(ns, ["netns", "list-id"])).find((e) => e.nsid === nsid)?.name;
}

/** A namespace made by hand (not through the provider), with its loopback up. */
export async function makeNamespace(name: string): Promise<string> {
    await sh(["ip", "netns", "add", name]);
    await sh(["ip", "-n", name, "link", "set", "dev", "lo", "up"]);
    return name;
}

export async function removeNamespace(name: string): Promise<void> {
    await exec({ ...who, op: "delete" }, ["ip", "netns", "del", name]);
}

/** Reads a /proc/sys value inside a namespace with cat (not with the provider's sysctl). */
export async function procSys(ns: string, key: string): Promise<string> {
    const out = await sh(["ip", "netns", "exec", ns, "cat", `/proc/sys/${key.replace(/\./g, "/")}`]);
    return out.trim().split(/\s+/).join(" ");
}

/** The host's own value of a key, read (never written) from its /proc/sys. */
export function hostProcSys(key: string): string {
    return readFileSync(`/proc/sys/${key.replace(/\./g, "/")}`, "utf8").trim().split(/\s+/).join(" ");
}

/** `check` as the engine calls it: must pass, returns the checked inputs. */
export async function check(kind: Kind, news: Props): Promise<Props> {
    const r = await providers[kind].check({}, news);
    expect(r.failures ?? []).toEqual([]);
    return r.inputs;
}

/** check, then create with the checked inputs, as the engine does. */
export async function create(kind: Kind, news: Props): Promise<{ id: string; outs: Props; inputs: Props }> {
    const inputs = await check(kind, news);
    const r = await providers[kind].create(inputs);
    return { ...r, inputs };
}

/** check, then create, expecting the create to fail with a NetnsError; returns it. */
export async function createFails(kind: Kind, news: Props): Promise<NetnsError> {
    const inputs = await check(kind, news);
    const err = await providers[kind].create(inputs).then(
        () => undefined,
        (e: unknown) => e,
    );
    expect(err, `${kind} create was expected to fail`).toBeInstanceOf(NetnsError);
    return err as NetnsError;
}

/** check old and new inputs, diff them, and update as the engine does when diff says "update". */
export async function update(kind: Kind, id: string, olds: Props, news: Props): Promise<Props> {
    const inputs = await check(kind, news);
    const d = await providers[kind].diff(id, olds, inputs);
    expect(d.changes).toBe(true);
    expect(d.replaces).toEqual([]);
    return (await providers[kind].update(id, olds, inputs)).outs;
}

function escape(s: string): string {
    return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * The command an error shows, without the `sudo -n -- ` that the provider puts in front when it
 * is not root (run.ts privileged): the tests match the `ip ...` that follows, run either way.
 */
export function shownCommand(line: string): string {
    return line.startsWith("sudo -n -- ") ? line.slice("sudo -n -- ".length) : line;
}

/**
 * The documented error shape:
 *   Kind "name" op failed (ip exited N)
 *     command: ip ...              (as root; `sudo -n -- ip ...` otherwise)
 *     stderr:  ...
 *     hint:    ...
 * `command` is matched against the command without the sudo prefix.
 */
export function expectErrorShape(err: NetnsError, want: { kind: string; name: string; op: string; command: RegExp; stderr?: RegExp; hint: RegExp; exited?: boolean }): void {
    const lines = err.message.split("\n");
    const head = `${want.kind} "${want.name}" ${want.op} failed`;
    if (want.exited === false) {
        expect(lines[0]).toBe(head);
    } else {
        expect(lines[0]).toMatch(new RegExp(`^${escape(head)} \\(ip exited [1-9][0-9]*\\)$`));
        expect(err.exitCode).toBeGreaterThan(0);
    }
    expect(lines[1]).toMatch(/^ {2}command: /);
    // The command shown is the one that ran (argv, quoted for display), and it is the one expected.
    expect(lines[1]!.slice("  command: ".length)).toBe(err.argv.map(quote).join(" "));
    expect(shownCommand(lines[1]!.slice("  command: ".length))).toMatch(want.command);
    if (want.stderr) {
        expect(err.message).toMatch(/\n {2}stderr: {2}/);
        expect(err.stderr).toMatch(want.stderr);
    }
    const hintLine = lines.find((l) => l.startsWith("  hint:    "));
    expect(hintLine, err.message).toBeDefined();
    expect(err.hint).toMatch(want.hint);
    expect(lines[lines.length - 1]).toBe(`  hint:    ${err.hint}`);
}

/** Sets PULUMI_NETNS_COMMAND_LOG while fn runs; returns the argv of every command run. */
export async function commandLog(fn: () => Promise<unknown>): Promise<string[][]> {
    const dir = mkdtempSync(join(tmpdir(), "netns-itest-log-"));
    const file = join(dir, "commands.jsonl");
    const prev = process.env.PULUMI_NETNS_COMMAND_LOG;
    process.env.PULUMI_NETNS_COMMAND_LOG = file;
    try {
        await fn();
    } finally {
        if (prev === undefined) delete process.env.PULUMI_NETNS_COMMAND_LOG;
        else process.env.PULUMI_NETNS_COMMAND_LOG = prev;
    }
    const lines = existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean) : [];
    rmSync(dir, { recursive: true, force: true });
    return lines.map((l) => (JSON.parse(l) as { argv: string[] }).argv);
}

/**
 * Why fault injection through PATH cannot work here, or undefined when it can. Not root, the
 * provider runs `sudo -n -- ip ...`, and sudo looks `ip` up in its `secure_path`, not in our PATH:
 * a fake `ip` would never run, and a test would inject nothing while it seemed to pass.
 */
export function faultInjectionUnavailable(uid: number | undefined = typeof process.getuid === "function" ? process.getuid() : undefined): string | undefined {
    return uid === 0 ? undefined
        : "needs root: not root, the provider runs ip through sudo, whose secure_path ignores the fake ip on PATH";
}

/**
 * A test that injects faults with withFailingIp or withKilledIp: run as root, skipped otherwise
 * with the reason in its name (faultInjectionUnavailable), never run with nothing injected.
 */
export function itInjecting(name: string, fn: () => Promise<void>, timeout?: number): void {
    const why = faultInjectionUnavailable();
    if (why) it.skip(`${name} [skipped: ${why}]`, fn);
    else it(name, fn, timeout);
}

/** Runs fn with a fake `ip` first on PATH: `cases` are the sh `case` branches, the real ip runs otherwise. */
async function withFakeIp<T>(cases: string, fn: () => Promise<T>): Promise<T> {
    const why = faultInjectionUnavailable();
    if (why) throw new Error(`fault injection through PATH ${why}; use itInjecting for this test`);
    const realIp = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"].find((p) => existsSync(p));
    if (!realIp) throw new Error("no ip binary found");
    const dir = mkdtempSync(join(tmpdir(), "netns-itest-ip-"));
    writeFileSync(join(dir, "ip"), `#!/bin/sh\nREAL=${realIp}\ncase "$*" in\n${cases}\nesac\nexec ${realIp} "$@"\n`);
    chmodSync(join(dir, "ip"), 0o755);
    const prev = process.env.PATH;
    process.env.PATH = `${dir}:${prev ?? ""}`;
    try {
        return await fn();
    } finally {
        process.env.PATH = prev;
        rmSync(dir, { recursive: true, force: true });
    }
}

const branch = (argv: string[], body: string) => `  "${argv.join(" ")}"|"${argv.join(" ")} "*) ${body} ;;`;

/**
 * Runs fn with an `ip` on PATH that is killed with SIGKILL for the commands whose argv starts
 * with one of `killed`: before doing anything (`when: "before"`), or after the real ip ran the
 * whole request (`"after"`; `quiet` drops what it printed, such as the kernel's echo), or after
 * only the first line of its `-batch -` input ran (`"first-line"`). Root only (itInjecting).
 */
export async function withKilledIp<T>(killed: string[][], how: { when: "before" | "after" | "first-line"; quiet?: boolean }, fn: () => Promise<T>): Promise<T> {
    const out = how.quiet ? " >/dev/null" : "";
    const run = how.when === "before" ? "" : how.when === "after" ? `"$REAL" "$@"${out}; ` : `head -n 1 | "$REAL" "$@"${out}; `;
    return withFakeIp(killed.map((argv) => branch(argv, `${run}kill -KILL $$`)).join("\n"), fn);
}

/**
 * Runs fn with an `ip` on PATH that fails (by default exit 2, "RTNETLINK answers: Operation not
 * permitted") for the commands whose argv starts with one of `failing`, and runs the real ip
 * otherwise. Fault injection for the second step of a create: the first step really runs. Root
 * only: use itInjecting for the test (faultInjectionUnavailable says why).
 */
export async function withFailingIp<T>(failing: string[][], fn: () => Promise<T>, how: { stderr: string; exitCode: number } = { stderr: "RTNETLINK answers: Operation not permitted", exitCode: 2 }): Promise<T> {
    return withFakeIp(failing.map((argv) => branch(argv, `echo '${how.stderr.replace(/'/g, "")}' >&2; exit ${how.exitCode}`)).join("\n"), fn);
}
