// Helpers for the per-kind end-to-end tests (resources, adoption, validation):
//   - the fixture's `resources` config, built as data ({ ref, out } wiring included);
//   - what the host shows inside our own namespaces, read with `ip -j` (never the host namespace);
//   - a few CLI calls the harness does not wrap (targeted destroy, replaceReasons, refresh report).
import { execa } from "execa";
import { expect } from "vitest";
import type { CliResult, TestStack } from "./harness";

// ---------------------------------------------------------------------------------------------
// The fixture program's config.

export interface Spec {
    kind: "Namespace" | "VethPair" | "Address" | "Route" | "Sysctl" | "Bridge" | "Rule" | "LinkShaping" | "Tunnel";
    name: string;
    args: Record<string, unknown>;
    dependsOn?: string[];
}

export const ref = (name: string, out: string) => ({ ref: name, out });

/** The stack config that makes the fixture build exactly these resources. */
export function config(specs: Spec[]): Record<string, string> {
    return { resources: JSON.stringify(specs) };
}

// ---------------------------------------------------------------------------------------------
// The host, inside our namespaces. Every query names a namespace: nothing here reads or touches
// the host's own namespace.

async function run(argv: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
    const [file, ...args] = argv as [string, ...string[]];
    const r = await execa(file, args, { reject: false, env: { LC_ALL: "C" }, stdin: "ignore", timeout: 60_000 });
    return { exitCode: r.exitCode ?? 1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** Runs a command we expect to succeed (a change made "by hand" in one of our namespaces). */
export async function sh(...argv: string[]): Promise<string> {
    const r = await run(argv);
    if (r.exitCode !== 0) throw new Error(`${argv.join(" ")} failed (exit ${r.exitCode}): ${r.stderr}`);
    return r.stdout;
}

export interface LinkJson {
    ifindex: number;
    ifname: string;
    flags: string[];
    mtu: number;
    address: string;
    link_index?: number;
    master?: string;
    linkinfo?: { info_kind?: string };
}

/** `ip -n NS -j -d link show dev DEV`, or undefined when there is no such link (or namespace). */
export async function link(ns: string, dev: string): Promise<LinkJson | undefined> {
    const r = await run(["ip", "-n", ns, "-j", "-d", "link", "show", "dev", dev]);
    if (r.exitCode !== 0) return undefined;
    return (JSON.parse(r.stdout || "[]") as LinkJson[])[0];
}

/** Names of the links in a namespace (empty when the namespace does not exist). */
export async function linkNames(ns: string): Promise<string[]> {
    const r = await run(["ip", "-n", ns, "-j", "link", "show"]);
    if (r.exitCode !== 0) return [];
    return (JSON.parse(r.stdout || "[]") as LinkJson[]).map((l) => l.ifname).sort();
}

/** The addresses on one interface as "local/prefixlen", link-local IPv6 left out. */
export async function addresses(ns: string, dev: string): Promise<string[]> {
    const r = await run(["ip", "-n", ns, "-j", "address", "show", "dev", dev]);
    if (r.exitCode !== 0) return [];
    const links = JSON.parse(r.stdout || "[]") as { addr_info: { local: string; prefixlen: number; scope: string }[] }[];
    return links.flatMap((l) => l.addr_info.filter((a) => a.scope !== "link").map((a) => `${a.local}/${a.prefixlen}`)).sort();
}

export interface RouteJson { dst: string; gateway?: string; dev?: string; protocol?: string; metric?: number }

/** The routes of a namespace's main table (one family). */
export async function routes(ns: string, family: "-4" | "-6" = "-4"): Promise<RouteJson[]> {
    const r = await run(["ip", "-n", ns, "-j", family, "route", "show"]);
    if (r.exitCode !== 0) return [];
    return JSON.parse(r.stdout || "[]") as RouteJson[];
}

export async function route(ns: string, dst: string): Promise<RouteJson | undefined> {
    return (await routes(ns, dst.includes(":") ? "-6" : "-4")).find((x) => x.dst === dst);
}

export interface RuleJson { priority: number; src: string; srclen?: number; dst?: string; dstlen?: number; table?: string; action?: string }

/** The IPv4 rules at one priority in a namespace (`ip -n NS -j -4 rule show priority N`). */
export async function rules(ns: string, priority: number): Promise<RuleJson[]> {
    const r = await run(["ip", "-n", ns, "-j", "-4", "rule", "show", "priority", String(priority)]);
    if (r.exitCode !== 0) return [];
    return JSON.parse(r.stdout || "[]") as RuleJson[];
}

/** A sysctl read inside a namespace (`ip netns exec NS sysctl -n KEY`). */
export async function sysctl(ns: string, key: string): Promise<string> {
    return (await sh("ip", "netns", "exec", ns, "sysctl", "-n", key)).trim();
}

// ---------------------------------------------------------------------------------------------
// The CLI, beyond the harness.

interface ExportedResource { urn: string; id: string; type: string; inputs?: Record<string, unknown>; outputs: Record<string, unknown> }

/** The resources in the stack's state (the stack and the provider left out). */
export async function stateResources(stack: TestStack): Promise<ExportedResource[]> {
    const d = JSON.parse((await stack.must(["stack", "export"])).stdout) as { deployment: { resources?: ExportedResource[] } };
    return (d.deployment.resources ?? []).filter((r) => r.type.includes("netns:"));
}

/** `pulumi destroy --target URN` for the named resources only: each kind's delete on its own. */
export async function destroyOnly(stack: TestStack, ...names: string[]): Promise<CliResult> {
    const all = await stateResources(stack);
    const targets = names.map((n) => {
        const r = all.find((x) => x.urn.endsWith(`::${n}`));
        if (!r) throw new Error(`no resource ${n} in the state of ${stack.name}`);
        return ["--target", r.urn];
    });
    return stack.must(["destroy", "--yes", "--skip-preview", ...targets.flat()]);
}

/** replaceReasons of each replace step, from `pulumi preview --json`: which inputs force the replacement. */
export async function replaceReasons(stack: TestStack): Promise<Record<string, string[]>> {
    const r = await stack.must(["preview", "--json"]);
    const steps = (JSON.parse(r.stdout) as { steps?: { op: string; urn: string; replaceReasons?: string[] }[] }).steps ?? [];
    return Object.fromEntries(steps.filter((s) => s.op === "replace").map((s) => [s.urn.split("::").pop() ?? "", [...(s.replaceReasons ?? [])].sort()]));
}

/**
 * What `pulumi refresh` printed about one resource: its per-resource line ends in "deleted" when
 * the object was gone (and the resource left the state) or "updated" when its state changed.
 */
export function refreshVerdict(r: CliResult, kind: Spec["kind"], name: string): "deleted" | "updated" | "unchanged" {
    const line = new RegExp(`^\\s*[-~]\\s+\\S*netns:${kind} ${name} (deleted|updated)\\b`, "m").exec(r.stdout);
    return (line?.[1] as "deleted" | "updated" | undefined) ?? "unchanged";
}

/** Everything the CLI printed: `pulumi up` writes its diagnostics to stdout. */
export function printed(r: CliResult): string {
    return `${r.stdout}\n${r.stderr}`;
}

/** An `up` that must fail, returning what the CLI printed. */
export async function upFails(stack: TestStack, extra: string[] = ["--skip-preview"]): Promise<string> {
    const r = await stack.run(["up", "--yes", ...extra]);
    expect(r.exitCode, `pulumi up should have failed:\n${printed(r)}`).not.toBe(0);
    return printed(r);
}
