// Helpers for the unit tests that drive every kind through a FakeHost (test/unit/kinds-fake*.test.ts):
// subjects with an owner, a fake whose host namespace differs from the test's namespaces, the
// NetnsError a promise rejects with, and the output iproute2 6.1 printed for the objects the tests
// stand for (copied from `ip -j ...` on namespaces made by hand for it, names changed to the tests').
import { expect, vi } from "vitest";
import { FakeHost } from "../../provider/host/fake";
import { NetnsError, type Op, type Subject } from "../../provider/host/run";
import { formatMark, type Owner } from "../../provider/ownership/owner";

export const OWNER: Owner = { project: "p", stack: "s" };
export const FOREIGN = "pulumi-netns/1 other/prod Namespace hfkA";

/** A subject as impl.ts makes it: with this stack's mark for (kind, name), unless `owner` is false (a state from before marks). */
export function subject(kind: string, op: Op, name: string, host: FakeHost, owner = true): Subject {
    return { kind, name, op, host, ...(owner ? { owner: { ...OWNER, kind, name } } : {}) };
}

/** The mark a subject writes. */
export function markOf(kind: string, name: string): string {
    return formatMark({ ...OWNER, kind, name });
}

/** A fake host whose own namespace (/proc/self/ns/net, /proc/1/ns/net) is none of `namespaces`. */
export function fakeHost(...namespaces: string[]): FakeHost {
    const h = new FakeHost().file("/proc/self/ns/net", "", "4:4026531840").file("/proc/1/ns/net", "", "4:4026531840");
    for (const n of namespaces) h.namespace(n);
    return h;
}

/** The NetnsError a promise rejects with (fails the test when it resolves or throws something else). */
export async function failure(p: Promise<unknown>): Promise<NetnsError> {
    const e = await p.then(() => undefined, (x: unknown) => x);
    expect(e).toBeInstanceOf(NetnsError);
    return e as NetnsError;
}

/** Collects the warnings the provider writes to stderr while `fn` runs. */
export async function warnings<T>(fn: () => Promise<T>): Promise<{ value: T; lines: string[] }> {
    const lines: string[] = [];
    const spy = vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => { lines.push(String(chunk)); return true; });
    try {
        return { value: await fn(), lines };
    } finally {
        spy.mockRestore();
    }
}

const j = (x: unknown) => JSON.stringify(x);

/** `ip -n NS -j link show dev lo`, with `alias` as its ifalias (the namespace's mark) when given. */
export function loJson(alias?: string): string {
    return j([{ ifindex: 1, ifname: "lo", flags: ["LOOPBACK", "UP", "LOWER_UP"], mtu: 65536, qdisc: "noqueue", operstate: "UNKNOWN", linkmode: "DEFAULT", group: "default",
        txqlen: 1000, link_type: "loopback", address: "00:00:00:00:00:00", broadcast: "00:00:00:00:00:00", ...(alias === undefined ? {} : { ifalias: alias }) }]) + "\n";
}

/** A veth end as `ip -j -d link show dev NAME` prints it (iproute2 6.1), peer in another namespace (link_netnsid 0). */
export function vethJson(o: { ifname: string; ifindex?: number; linkIndex?: number; mac: string; mtu?: number; up?: boolean; alias?: string; master?: string; kind?: string }): Record<string, unknown> {
    return { ifindex: o.ifindex ?? 2, link_index: o.linkIndex ?? 2, ifname: o.ifname, flags: o.up === false ? ["BROADCAST", "MULTICAST"] : ["BROADCAST", "MULTICAST", "UP", "LOWER_UP"],
        mtu: o.mtu ?? 1500, qdisc: "noqueue", ...(o.master === undefined ? {} : { master: o.master }), operstate: o.up === false ? "DOWN" : "UP", linkmode: "DEFAULT", group: "default", txqlen: 1000,
        link_type: "ether", address: o.mac, broadcast: "ff:ff:ff:ff:ff:ff", link_netnsid: 0, promiscuity: 0, allmulti: 0, min_mtu: 68, max_mtu: 65535,
        linkinfo: { info_kind: o.kind ?? "veth" }, inet6_addr_gen_mode: "eui64", num_tx_queues: 2, num_rx_queues: 2, gso_max_size: 65536, gso_max_segs: 65535,
        tso_max_size: 524280, tso_max_segs: 65535, gro_max_size: 65536, ...(o.alias === undefined ? {} : { ifalias: o.alias }) };
}

/** What the kernel echoes for a new veth end (`ip -echo -j link add`, iproute2 6.1): no details, not yet LOWER_UP. */
export function vethEcho(o: { ifname: string; ifindex?: number; mac: string; mtu?: number }): string {
    return j([{ ifindex: o.ifindex ?? 2, link_index: 2, ifname: o.ifname, flags: ["BROADCAST", "MULTICAST", "UP"], mtu: o.mtu ?? 1500, qdisc: "noqueue", operstate: "UNKNOWN",
        group: "default", link_type: "ether", address: o.mac, broadcast: "ff:ff:ff:ff:ff:ff", link_netnsid: 0 }]) + "\n";
}

/** `ip -n NS -j address show dev NAME scope link`: the end's EUI-64 link-local address. */
export function linkLocalJson(ifname: string, mac: string, local: string): string {
    return j([{ ifindex: 2, link_index: 2, ifname, flags: ["BROADCAST", "MULTICAST", "UP", "LOWER_UP"], mtu: 1500, qdisc: "noqueue", operstate: "UP", group: "default", txqlen: 1000,
        link_type: "ether", address: mac, broadcast: "ff:ff:ff:ff:ff:ff", link_netnsid: 0,
        addr_info: [{ family: "inet6", local, prefixlen: 64, scope: "link", valid_life_time: 4294967295, preferred_life_time: 4294967295 }] }]) + "\n";
}

/** A bridge as `ip -j -d link show dev NAME` prints it (info_data shortened). */
export function bridgeJson(o: { ifname: string; mac: string; mtu?: number; up?: boolean; alias?: string; kind?: string }): string {
    return j([{ ifindex: 3, ifname: o.ifname, flags: o.up === false ? ["BROADCAST", "MULTICAST"] : ["BROADCAST", "MULTICAST", "UP", "LOWER_UP"], mtu: o.mtu ?? 1500, qdisc: "noqueue",
        operstate: o.up === false ? "DOWN" : "UNKNOWN", linkmode: "DEFAULT", group: "default", txqlen: 1000, link_type: "ether", address: o.mac, broadcast: "ff:ff:ff:ff:ff:ff",
        promiscuity: 0, allmulti: 0, min_mtu: 68, max_mtu: 65535, linkinfo: { info_kind: o.kind ?? "bridge", info_data: { forward_delay: 1500, hello_time: 200, max_age: 2000, ageing_time: 30000, stp_state: 0, priority: 32768, vlan_filtering: 0 } },
        inet6_addr_gen_mode: "eui64", num_tx_queues: 1, num_rx_queues: 1, gso_max_size: 65536, gso_max_segs: 65535, tso_max_size: 65536, tso_max_segs: 65535, gro_max_size: 65536,
        ...(o.alias === undefined ? {} : { ifalias: o.alias }) }]) + "\n";
}

/** `ip -n NS -j address show dev NAME` with these addresses (and the link-local one). */
export function addressJson(ifname: string, addrs: { family: "inet" | "inet6"; local: string; prefixlen: number }[]): string {
    return j([{ ifindex: 2, link_index: 2, ifname, flags: ["BROADCAST", "MULTICAST", "UP", "LOWER_UP"], mtu: 1500, qdisc: "noqueue", operstate: "UP", group: "default", txqlen: 1000,
        link_type: "ether", address: "46:50:15:4c:8c:2c", broadcast: "ff:ff:ff:ff:ff:ff", link_netnsid: 0,
        addr_info: [...addrs.map((a) => ({ ...a, scope: "global", ...(a.family === "inet" ? { label: ifname } : { nodad: true }), valid_life_time: 4294967295, preferred_life_time: 4294967295 })),
            { family: "inet6", local: "fe80::4450:15ff:fe4c:8c2c", prefixlen: 64, scope: "link", valid_life_time: 4294967295, preferred_life_time: 4294967295 }] }]) + "\n";
}

/** What iproute2 6.1 and the kernel say, copied as they were printed. */
export const SAYS = {
    nsExists: (ns: string) => `Cannot create namespace file "/run/netns/${ns}": File exists\n`,
    nsNoFile: (ns: string) => `Cannot remove namespace file "/run/netns/${ns}": No such file or directory\n`,
    nsBusy: (ns: string) => `Cannot remove namespace file "/run/netns/${ns}": Device or resource busy\n`,
    nsGone: (ns: string) => `Cannot open network namespace "${ns}": No such file or directory\n`,
    noDevice: (dev: string) => `Device "${dev}" does not exist.\n`,
    cannotFind: (dev: string) => `Cannot find device "${dev}"\n`,
    fileExists: "RTNETLINK answers: File exists\n",
    batchExists: "RTNETLINK answers: File exists\nCommand failed -:1\n",
    notPermitted: "RTNETLINK answers: Operation not permitted\n",
    addrAssigned: "Error: ipv4: Address already assigned.\n",
    addrNotFound: "Error: ipv4: Address not found.\n",
    noSuchProcess: "RTNETLINK answers: No such process\n",
    ruleGone: "RTNETLINK answers: No such file or directory\n",
    badGateway: "Error: Nexthop has invalid gateway.\n",
    noKey: (path: string) => `sysctl: cannot stat /proc/sys/${path}: No such file or directory\n`,
    badValue: (key: string) => `sysctl: setting key "${key}": Invalid argument\n`,
    mountRefused: "mount --make-shared /run/netns failed: Operation not permitted\n",
};
