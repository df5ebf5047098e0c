// VethPair, Bridge, Tunnel and LinkShaping driven through a FakeHost (issue 22; the other kinds: kinds-fake.test.ts,
// kinds-fake-routing.test.ts): create, read, update and delete with the exact commands each runs,
// the outputs, gone, the failure classifications with their hints, adoption, the ownership marks,
// a foreign mark left alone, and the all-or-nothing create. No root, no processes. The answers are
// iproute2 6.1's (test/support/fakekinds.ts).
import { describe, expect, it } from "vitest";
import { kinds } from "../../provider/kinds/registry";
import { FakeHost } from "../../provider/host/fake";
import { FOREIGN, SAYS, addressJson, bridgeJson, failure, fakeHost, linkLocalJson, markOf, subject, vethEcho, vethJson, warnings } from "../support/fakekinds";

const line = (argv: readonly string[]) => argv.join(" ");
const j = (x: unknown) => JSON.stringify(x) + "\n";

describe("VethPair through the fake host", () => {
    const vp = kinds.VethPair;
    const MARK = markOf("VethPair", "pair1");
    const S = (h: FakeHost, op: "create" | "read" | "update" | "delete", owner = true) => subject("VethPair", op, "pair1", h, owner);
    const spec = { name: "hv0", namespace: "hfkA", peerName: "hv1", peerNamespace: "hfkB", up: true, peerUp: true, adopt: false } as Parameters<typeof vp.create>[1];
    const MAC0 = "46:50:15:4c:8c:2c";
    const MAC1 = "9a:1e:0b:77:20:01";
    const LL0 = "fe80::4450:15ff:fe4c:8c2c";
    const LL1 = "fe80::981e:bff:fe77:2001";
    const ADD = ["ip", "-n", "hfkA", "-echo", "-j", "-batch", "-"];
    const ADD_INPUT = `link add name hv0 up type veth peer name hv1 netns /run/netns/hfkB\nlink set dev hv0 alias "${MARK}"\n`;
    const PEER = ["ip", "-n", "hfkB", "-j", "-d", "-batch", "-"];
    const LL_A = ["ip", "-n", "hfkA", "-j", "address", "show", "dev", "hv0", "scope", "link"];
    const LL_B = ["ip", "-n", "hfkB", "-j", "address", "show", "dev", "hv1", "scope", "link"];
    const SHOW_A = ["ip", "-n", "hfkA", "-j", "-d", "link", "show", "dev", "hv0"];
    const SHOW_B = ["ip", "-n", "hfkB", "-j", "-d", "link", "show", "dev", "hv1"];
    const IDS = ["ip", "-n", "hfkA", "-j", "netns", "list-id"];
    const DEL = ["ip", "-n", "hfkA", "link", "del", "dev", "hv0"];
    const end0 = (o: Partial<Parameters<typeof vethJson>[0]> = {}) => j([vethJson({ ifname: "hv0", ifindex: 2, linkIndex: 2, mac: MAC0, alias: MARK, ...o })]);
    const end1 = (o: Partial<Parameters<typeof vethJson>[0]> = {}) => j([vethJson({ ifname: "hv1", ifindex: 2, linkIndex: 2, mac: MAC1, alias: MARK, ...o })]);
    const outputs = { ...spec, ifindex: 2, peerIfindex: 2, mac: MAC0, peerMac: MAC1, linkLocal: LL0, peerLinkLocal: LL1 };
    /** A fake holding the pair as create leaves it: both ends, peers of each other (hfkA numbers hfkB as nsid 0). */
    const withPair = (o0: Partial<Parameters<typeof vethJson>[0]> = {}, o1: Partial<Parameters<typeof vethJson>[0]> = {}) => fakeHost("hfkA", "hfkB")
        .on(SHOW_A, { stdout: end0(o0) }).on(SHOW_B, { stdout: end1(o1) }).on(IDS, { stdout: j([{ nsid: 0, name: "hfkB" }]) })
        .on(LL_A, { stdout: linkLocalJson("hv0", MAC0, LL0) }).on(LL_B, { stdout: linkLocalJson("hv1", MAC1, LL1) });

    it("create: the add with this end's mark in one process, the peer's up, mark and read back in another, then both link-local addresses", async () => {
        const h = fakeHost("hfkA", "hfkB").on(ADD, { stdout: vethEcho({ ifname: "hv0", mac: MAC0 }) })
            .on(PEER, { stdout: end1() }).on(LL_A, { stdout: linkLocalJson("hv0", MAC0, LL0) }).on(LL_B, { stdout: linkLocalJson("hv1", MAC1, LL1) });
        const out = await vp.create(S(h, "create"), spec);
        expect(h.lines).toEqual([line(ADD), line(PEER), line(LL_A), line(LL_B)]);
        expect(h.calls[0]!.input).toBe(ADD_INPUT);
        expect(h.calls[1]!.input).toBe(`link set dev hv1 up\nlink set dev hv1 alias "${MARK}"\nlink show dev hv1\n`);
        expect(out).toEqual(outputs);
    });

    it("create without an owner: the plain add, no alias lines", async () => {
        const plain = ["ip", "-n", "hfkA", "-echo", "-j", "link", "add", "name", "hv0", "up", "type", "veth", "peer", "name", "hv1", "netns", "/run/netns/hfkB"];
        const h = fakeHost("hfkA", "hfkB").on(plain, { stdout: vethEcho({ ifname: "hv0", mac: MAC0 }) })
            .on(PEER, { stdout: end1({ alias: undefined }) }).on(LL_A, { stdout: linkLocalJson("hv0", MAC0, LL0) }).on(LL_B, { stdout: linkLocalJson("hv1", MAC1, LL1) });
        await vp.create(S(h, "create", false), spec);
        expect(h.lines[0]).toBe(line(plain));
        expect(h.calls[0]!.input).toBeUndefined();
        expect(h.calls[1]!.input).toBe("link set dev hv1 up\nlink show dev hv1\n");
    });

    it("create with MTU, MACs, addresses and a route: all in the add and the two batches", async () => {
        const a = { ...spec, mtu: 1400, peerMtu: 1400, address: MAC0, peerAddress: MAC1, addresses: ["192.0.2.1/24"], peerAddresses: ["192.0.2.2/24"], routes: [{ to: "198.51.100.0/24", via: "192.0.2.2" }] };
        const h = fakeHost("hfkA", "hfkB").on(ADD, { stdout: vethEcho({ ifname: "hv0", mac: MAC0, mtu: 1400 }) })
            .on(PEER, { stdout: end1({ mtu: 1400 }) }).on(["ip", "-n", "hfkA", "-batch", "-"], {})
            .on(LL_A, { stdout: linkLocalJson("hv0", MAC0, LL0) }).on(LL_B, { stdout: linkLocalJson("hv1", MAC1, LL1) });
        const out = await vp.create(S(h, "create"), vp.schema.parse(a) as Parameters<typeof vp.create>[1]);
        expect(h.calls[0]!.input).toBe(`link add name hv0 mtu 1400 address ${MAC0} up type veth peer name hv1 netns /run/netns/hfkB mtu 1400 address ${MAC1}\nlink set dev hv0 alias "${MARK}"\n`);
        expect(h.calls[1]!.input).toContain("address replace 192.0.2.2/24 dev hv1");
        expect(h.lines[2]).toBe("ip -n hfkA -batch -");
        expect(h.calls[2]!.input).toContain("address replace 192.0.2.1/24 dev hv0");
        expect(h.calls[2]!.input).toContain("route replace 198.51.100.0/24 via 192.0.2.2 dev hv0 table main proto 77");
        expect(out.mtu).toBe(1400);
    });

    it("create whose peer step fails: the pair made here is deleted again, the error names the peer's command", async () => {
        const h = fakeHost("hfkA", "hfkB").on(ADD, { stdout: vethEcho({ ifname: "hv0", mac: MAC0 }) })
            .on(PEER, { exitCode: 1, stderr: SAYS.notPermitted }).on(DEL, {});
        const e = await failure(vp.create(S(h, "create"), spec));
        expect(h.lines).toEqual([line(ADD), line(PEER), line(DEL)]);
        expect(e.message).toContain(`command: ${line(PEER)}`);
        expect(e.hint).toBe("this needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN): run as root or through sudo");
    });

    it("create with the peer's namespace missing: refused before anything is made, with the ordering hint", async () => {
        const h = fakeHost("hfkA").on(ADD, { exitCode: 1, stderr: 'Invalid "netns" value "/run/netns/hfkB"\n' });
        const e = await failure(vp.create(S(h, "create"), spec));
        expect(h.lines).toEqual([line(ADD)]);
        expect(e.hint).toBe("the peer namespace hfkB does not exist (no /run/netns/hfkB): create it first and pass its name as an output (ns.name) so Pulumi orders the two");
    });

    it("create, an end exists without a mark: refused with the adopt hint, nothing deleted", async () => {
        const h = fakeHost("hfkA", "hfkB").on(ADD, { exitCode: 2, stderr: SAYS.fileExists })
            .on(SHOW_A, { stdout: end0({ alias: undefined }) }).on(SHOW_B, { exitCode: 1, stderr: SAYS.noDevice("hv1") });
        const e = await failure(vp.create(S(h, "create"), spec));
        expect(h.lines).toEqual([line(ADD), line(SHOW_A), line(SHOW_B)]);
        expect(e.message).toContain('VethPair "pair1" create failed (ip exited 2)');
        expect(e.hint).toContain("an interface named hv0 already exists in hfkA, or hv1 in hfkB; remove it, give this pair other names, or set adopt: true to take over a matching pair");
        expect(e.hint).toContain("carries no ownership mark");
    });

    it("create, the ends exist with another stack's mark: refused even with adopt, naming that stack", async () => {
        const h = fakeHost("hfkA", "hfkB").on(ADD, { exitCode: 2, stderr: SAYS.fileExists })
            .on(SHOW_A, { stdout: end0({ alias: FOREIGN }) }).on(SHOW_B, { stdout: end1({ alias: FOREIGN }) });
        const e = await failure(vp.create(S(h, "create"), { ...spec, adopt: true }));
        expect(h.lines).toEqual([line(ADD), line(SHOW_A), line(SHOW_B)]);
        expect(e.hint).toContain("belongs to stack other/prod");
        expect(e.hint).toContain('adoptFrom: "other/prod"');
    });

    it("create, an unmarked pair there with adopt: both ends set as declared, marked, read back", async () => {
        const h = withPair({ alias: undefined }, { alias: undefined }).on(ADD, { exitCode: 2, stderr: SAYS.fileExists }).on(["ip", "-n", "hfkA", "link", "set"], {}).on(["ip", "-n", "hfkB", "link", "set"], {});
        const out = await vp.create(S(h, "create"), { ...spec, adopt: true });
        expect(h.lines.slice(0, 3)).toEqual([line(ADD), line(SHOW_A), line(SHOW_B)]);
        expect(h.lines).toContain("ip -n hfkA link set dev hv0 nomaster up");
        expect(h.lines).toContain("ip -n hfkB link set dev hv1 nomaster up");
        expect(h.lines).toContain(`ip -n hfkA link set dev hv0 alias ${MARK}`);
        expect(h.lines).toContain(`ip -n hfkB link set dev hv1 alias ${MARK}`);
        expect(out).toEqual({ ...outputs, adopt: true });
    });

    it("create with adopt where the two ends are not each other's peers: refused, nothing changed", async () => {
        const h = fakeHost("hfkA", "hfkB").on(ADD, { exitCode: 2, stderr: SAYS.fileExists })
            .on(SHOW_A, { stdout: end0({ alias: undefined, linkIndex: 7 }) }).on(SHOW_B, { stdout: end1({ alias: undefined }) });
        const e = await failure(vp.create(S(h, "create"), { ...spec, adopt: true }));
        expect(h.lines.filter((l) => / link set /.test(l))).toEqual([]);
        expect(e.hint).toBe("adopt: true found no matching pair to take over: hv0 and hv1 are not peers of each other. Remove the existing interface or fix the names");
    });

    it("read: both ends, their peer relation through the namespace ids, and the link-local addresses", async () => {
        const h = withPair();
        expect(await vp.read(S(h, "read"), outputs)).toEqual(outputs);
        expect([...h.lines].sort()).toEqual([line(IDS), line(LL_A), line(LL_B), line(SHOW_A), line(SHOW_B)].sort());
    });

    it("read: drift (an end down by hand, an MTU changed) under the input names", async () => {
        const h = withPair({ up: false }, { mtu: 1400 });
        const got = await vp.read(S(h, "read"), { ...outputs, mtu: 1500, peerMtu: 1500 });
        expect(got?.up).toBe(false);
        expect(got?.peerMtu).toBe(1400);
        expect(got?.mtu).toBe(1500);
    });

    it("read: an end gone is the pair gone; two unrelated veths of these names are not this pair", async () => {
        const gone = fakeHost("hfkA", "hfkB").on(SHOW_A, { stdout: end0() }).on(SHOW_B, { exitCode: 1, stderr: SAYS.noDevice("hv1") });
        expect(await vp.read(S(gone, "read"), outputs)).toBeUndefined();
        const o = fakeHost("hfkA", "hfkB").on(SHOW_A, { stdout: end0() }).on(SHOW_B, { stdout: end1() }).on(IDS, { stdout: j([{ nsid: 0, name: "elsewhere" }]) })
            .on(LL_A, { stdout: linkLocalJson("hv0", MAC0, LL0) }).on(LL_B, { stdout: linkLocalJson("hv1", MAC1, LL1) });
        expect(await vp.read(S(o, "read"), outputs)).toBeUndefined();
    });

    it("read: a failed read (not gone) throws, never reports the pair deleted", async () => {
        const h = fakeHost("hfkA", "hfkB").on(SHOW_A, { exitCode: 2, stderr: SAYS.notPermitted }).on(SHOW_B, { stdout: end1() });
        const e = await failure(vp.read(S(h, "read"), outputs));
        expect(e.hint).toContain("a failed read is never taken for \"gone\"");
    });

    it("update: a new MTU is one `ip link set` per end that changed, then the read back", async () => {
        const h = withPair({ mtu: 1400 }, { mtu: 1400 }).on(["ip", "-n", "hfkA", "link", "set"], {}).on(["ip", "-n", "hfkB", "link", "set"], {});
        const out = await vp.update(S(h, "update"), { ...outputs, mtu: 1500, peerMtu: 1500 }, { ...spec, mtu: 1400, peerMtu: 1400 });
        expect(h.lines.filter((l) => / link set /.test(l))).toEqual(["ip -n hfkA link set dev hv0 mtu 1400", "ip -n hfkB link set dev hv1 mtu 1400"]);
        expect(out.mtu).toBe(1400);
        expect(out.peerMtu).toBe(1400);
    });

    it("update: an address added is one batch line in that end's namespace; nothing else is set", async () => {
        const h = withPair().on(["ip", "-n", "hfkB", "-batch", "-"], {}).on(["ip", "-n", "hfkB", "-j", "address", "show", "dev", "hv1"], { stdout: addressJson("hv1", [{ family: "inet", local: "192.0.2.2", prefixlen: 24 }]) });
        const out = await vp.update(S(h, "update"), outputs, { ...spec, peerAddresses: ["192.0.2.2/24"] });
        expect(h.lines.filter((l) => / link set /.test(l))).toEqual([]);
        const batch = h.calls.find((c) => line(c.argv) === "ip -n hfkB -batch -");
        expect(batch?.input).toBe("address replace 192.0.2.2/24 dev hv1\n");
        expect(out.peerAddresses).toEqual(["192.0.2.2/24"]);
    });

    it("update with no change: only reads, no command that changes anything", async () => {
        const h = withPair();
        await vp.update(S(h, "update"), outputs, spec);
        expect(h.lines.filter((l) => !/ -j (-d )?(link show|netns list-id|address show) /.test(`${l} `))).toEqual([]);
        expect(h.lines).toHaveLength(5);
    });

    it("update of a pair gone meanwhile: the error says to refresh", async () => {
        const h = fakeHost("hfkA", "hfkB").on(["ip", "-n", "hfkA", "link", "set"], {}).on(SHOW_A, { exitCode: 1, stderr: SAYS.noDevice("hv0") }).on(SHOW_B, { exitCode: 1, stderr: SAYS.noDevice("hv1") });
        const e = await failure(vp.update(S(h, "update"), outputs, { ...spec, up: false }));
        expect(e.hint).toBe("the pair is gone; run pulumi refresh, then pulumi up to create it again");
    });

    it("delete: whose it is, then one del (the peer goes with it)", async () => {
        const h = fakeHost("hfkA", "hfkB").on(SHOW_A, { stdout: end0() }).on(DEL, {});
        await vp.delete(S(h, "delete"), outputs);
        expect(h.lines).toEqual([line(SHOW_A), line(DEL)]);
    });

    it("delete of a pair already gone: success", async () => {
        const h = fakeHost("hfkA", "hfkB").on(SHOW_A, { exitCode: 1, stderr: SAYS.noDevice("hv0") }).on(DEL, { exitCode: 1, stderr: SAYS.cannotFind("hv0") });
        await vp.delete(S(h, "delete"), outputs);
        expect(h.lines).toEqual([line(SHOW_A), line(DEL)]);
    });

    it("delete of another stack's pair: left alone with a warning", async () => {
        const h = fakeHost("hfkA", "hfkB").on(SHOW_A, { stdout: end0({ alias: FOREIGN }) });
        const { lines } = await warnings(() => vp.delete(S(h, "delete"), outputs));
        expect(h.lines).toEqual([line(SHOW_A)]);
        expect(lines.join("")).toContain("interface hv0 in hfkA belongs to stack other/prod");
    });

    it("delete failing otherwise: NetnsError naming the command", async () => {
        const h = fakeHost("hfkA", "hfkB").on(SHOW_A, { stdout: end0() }).on(DEL, { exitCode: 2, stderr: SAYS.notPermitted });
        const e = await failure(vp.delete(S(h, "delete"), outputs));
        expect(e.message).toContain(`command: ${line(DEL)}`);
        expect(e.hint).toBe("this needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN): run as root or through sudo");
    });
});

describe("Bridge through the fake host", () => {
    const br = kinds.Bridge;
    const MARK = markOf("Bridge", "br1");
    const S = (h: FakeHost, op: "create" | "read" | "update" | "delete", owner = true) => subject("Bridge", op, "br1", h, owner);
    const spec = { name: "hbr0", namespace: "hfkA", up: true, adopt: false } as Parameters<typeof br.create>[1];
    const MAC = "be:ef:00:11:22:33";
    const ADD = ["ip", "-n", "hfkA", "-batch", "-"];
    const ADD_INPUT = `link add name hbr0 up type bridge\nlink set dev hbr0 alias "${MARK}"\n`;
    const SHOW = ["ip", "-n", "hfkA", "-j", "-d", "link", "show", "dev", "hbr0"];
    const DEL = ["ip", "-n", "hfkA", "link", "del", "dev", "hbr0"];
    const SET = ["ip", "-n", "hfkA", "link", "set", "dev", "hbr0"];
    const outputs = { ...spec, ifindex: 3, mac: MAC };

    it("create: the add and its mark in one process, then a read back", async () => {
        const h = fakeHost("hfkA").on(ADD, {}, 1).on(SHOW, { stdout: bridgeJson({ ifname: "hbr0", mac: MAC, alias: MARK }) });
        const out = await br.create(S(h, "create"), spec);
        expect(h.lines).toEqual([line(ADD), line(SHOW)]);
        expect(h.calls[0]!.input).toBe(ADD_INPUT);
        expect(out).toEqual(outputs);
    });

    it("create with an MTU: changed away and back so that it sticks when ports join; addresses in one batch", async () => {
        const h = fakeHost("hfkA").on(ADD, {}).on(SET, {}).on(SHOW, { stdout: bridgeJson({ ifname: "hbr0", mac: MAC, mtu: 1400, alias: MARK }) })
            .on(["ip", "-n", "hfkA", "-j", "address", "show", "dev", "hbr0"], { stdout: addressJson("hbr0", [{ family: "inet", local: "192.0.2.1", prefixlen: 24 }]) });
        const out = await br.create(S(h, "create"), { ...spec, mtu: 1400, addresses: ["192.0.2.1/24"] });
        expect(h.calls[0]!.input).toBe(`link add name hbr0 mtu 1400 up type bridge\nlink set dev hbr0 alias "${MARK}"\n`);
        expect(h.lines.slice(1, 4)).toEqual(["ip -n hfkA link set dev hbr0 mtu 1401", "ip -n hfkA link set dev hbr0 mtu 1400", line(ADD)]);
        expect(h.calls[3]!.input).toBe("address replace 192.0.2.1/24 dev hbr0\n");
        expect(out).toEqual({ ...outputs, mtu: 1400, addresses: ["192.0.2.1/24"] });
    });

    it("create whose step after the add fails: the bridge made here is deleted again", async () => {
        const h = fakeHost("hfkA").on(ADD, {}, 1).on(SET, { exitCode: 2, stderr: "RTNETLINK answers: Invalid argument\n" }).on(DEL, {});
        const e = await failure(br.create(S(h, "create"), { ...spec, mtu: 1400 }));
        expect(h.lines).toEqual([line(ADD), "ip -n hfkA link set dev hbr0 mtu 1401", line(DEL)]);
        expect(e.hint).toBe("the kernel refused mtu 1400 for a bridge");
    });

    it("create, exists without a mark: refused with the adopt hint", async () => {
        const h = fakeHost("hfkA").on(ADD, { exitCode: 2, stderr: SAYS.batchExists }).on(SHOW, { stdout: bridgeJson({ ifname: "hbr0", mac: MAC }) });
        const e = await failure(br.create(S(h, "create"), spec));
        expect(h.lines).toEqual([line(ADD), line(SHOW)]);
        expect(e.hint).toContain("an interface named hbr0 already exists in hfkA; remove it ('ip -n hfkA link del dev hbr0'), give this bridge another name, or set adopt: true to take over an existing bridge");
    });

    it("create, exists with another stack's mark: refused even with adopt", async () => {
        const h = fakeHost("hfkA").on(ADD, { exitCode: 2, stderr: SAYS.batchExists }).on(SHOW, { stdout: bridgeJson({ ifname: "hbr0", mac: MAC, alias: FOREIGN }) });
        const e = await failure(br.create(S(h, "create"), { ...spec, adopt: true }));
        expect(h.lines).toEqual([line(ADD), line(SHOW)]);
        expect(e.hint).toContain("belongs to stack other/prod");
    });

    it("create, exists with adopt: set as declared, marked, read back", async () => {
        const h = fakeHost("hfkA").on(ADD, { exitCode: 2, stderr: SAYS.batchExists }).on(SHOW, { stdout: bridgeJson({ ifname: "hbr0", mac: MAC }) }).on(SET, {});
        const out = await br.create(S(h, "create"), { ...spec, adopt: true });
        expect(h.lines).toEqual([line(ADD), line(SHOW), line(SHOW), "ip -n hfkA link set dev hbr0 up", `ip -n hfkA link set dev hbr0 alias ${MARK}`, line(SHOW)]);
        expect(out).toEqual({ ...outputs, adopt: true });
    });

    it("create with adopt over an interface that is not a bridge: refused, naming its kind", async () => {
        const h = fakeHost("hfkA").on(ADD, { exitCode: 2, stderr: SAYS.batchExists }).on(SHOW, { stdout: bridgeJson({ ifname: "hbr0", mac: MAC, kind: "veth" }) });
        const e = await failure(br.create(S(h, "create"), { ...spec, adopt: true }));
        expect(e.hint).toBe("adopt: true found no bridge to take over: hbr0 in hfkA is a veth interface. Remove it or give this bridge another name");
    });

    it("read: the live bridge; drift under the input names; something else of that name is gone", async () => {
        const h = fakeHost("hfkA").on(SHOW, { stdout: bridgeJson({ ifname: "hbr0", mac: MAC, alias: MARK }) }, 1)
            .on(SHOW, { stdout: bridgeJson({ ifname: "hbr0", mac: MAC, up: false, mtu: 1400, alias: MARK }) }, 1)
            .on(SHOW, { stdout: bridgeJson({ ifname: "hbr0", mac: MAC, kind: "veth" }) }, 1)
            .on(SHOW, { exitCode: 1, stderr: SAYS.noDevice("hbr0") }, 1);
        expect(await br.read(S(h, "read"), outputs)).toEqual(outputs);
        expect(await br.read(S(h, "read"), { ...outputs, mtu: 1500 })).toEqual({ ...outputs, up: false, mtu: 1400 });
        expect(await br.read(S(h, "read"), outputs)).toBeUndefined();
        expect(await br.read(S(h, "read"), outputs)).toBeUndefined();
        expect(h.lines).toEqual(Array(4).fill(line(SHOW)));
    });

    it("update: MTU and admin state in one command; no change runs only the read", async () => {
        const h = fakeHost("hfkA").on(SET, {}).on(SHOW, { stdout: bridgeJson({ ifname: "hbr0", mac: MAC, mtu: 1400, up: false, alias: MARK }) });
        await br.update(S(h, "update"), { ...outputs, mtu: 1500 }, { ...spec, mtu: 1400, up: false });
        expect(h.lines).toEqual(["ip -n hfkA link set dev hbr0 mtu 1400 down", line(SHOW)]);
        const quiet = fakeHost("hfkA").on(SHOW, { stdout: bridgeJson({ ifname: "hbr0", mac: MAC, alias: MARK }) });
        await br.update(S(quiet, "update"), outputs, spec);
        expect(quiet.lines).toEqual([line(SHOW)]);
    });

    it("update of a bridge gone meanwhile: the error says to refresh", async () => {
        const h = fakeHost("hfkA").on(SET, {}).on(SHOW, { exitCode: 1, stderr: SAYS.noDevice("hbr0") });
        const e = await failure(br.update(S(h, "update"), outputs, { ...spec, up: false }));
        expect(e.hint).toBe("the bridge is gone; run pulumi refresh, then pulumi up to create it again");
    });

    it("delete: whose it is, then del; gone is success; another stack's is left alone", async () => {
        const h = fakeHost("hfkA").on(SHOW, { stdout: bridgeJson({ ifname: "hbr0", mac: MAC, alias: MARK }) }).on(DEL, {});
        await br.delete(S(h, "delete"), outputs);
        expect(h.lines).toEqual([line(SHOW), line(DEL)]);
        const gone = fakeHost("hfkA").on(SHOW, { exitCode: 1, stderr: SAYS.noDevice("hbr0") }).on(DEL, { exitCode: 1, stderr: SAYS.cannotFind("hbr0") });
        await br.delete(S(gone, "delete"), outputs);
        const foreign = fakeHost("hfkA").on(SHOW, { stdout: bridgeJson({ ifname: "hbr0", mac: MAC, alias: FOREIGN }) });
        const { lines } = await warnings(() => br.delete(S(foreign, "delete"), outputs));
        expect(foreign.lines).toEqual([line(SHOW)]);
        expect(lines.join("")).toContain("interface hbr0 in hfkA belongs to stack other/prod");
    });
});

describe("Tunnel through the fake host", () => {
    const tu = kinds.Tunnel;
    const MARK = markOf("Tunnel", "t1");
    const S = (h: FakeHost, op: "create" | "read" | "update" | "delete", owner = true) => subject("Tunnel", op, "t1", h, owner);
    const raw = { name: "vx0", namespace: "hfkA", type: "vxlan", vni: 42, dev: "hv0", local: "192.0.2.1", remote: "192.0.2.2", up: true, adopt: false };
    const spec = tu.normalize!(tu.schema.parse(raw) as Parameters<typeof tu.create>[1]);
    const UNDERLAY = ["ip", "-n", "hfkA", "-j", "link", "show", "dev", "hv0"];
    const ADD = ["ip", "-n", "hfkA", "-batch", "-"];
    const SHOW = ["ip", "-n", "hfkA", "-j", "-d", "link", "show", "dev", "vx0"];
    const DEL = ["ip", "-n", "hfkA", "link", "del", "dev", "vx0"];
    const SET = ["ip", "-n", "hfkA", "link", "set", "dev", "vx0"];
    const MAC = "f6:c1:82:3e:d3:c0";
    const vx = (o: { mtu?: number; remote?: string; alias?: string | undefined; up?: boolean; kind?: string; id?: number } = {}) => j([{ ifindex: 3, ifname: "vx0",
        flags: o.up === false ? ["BROADCAST", "MULTICAST"] : ["BROADCAST", "MULTICAST", "UP", "LOWER_UP"], mtu: o.mtu ?? 1450, address: MAC, ...("alias" in o ? (o.alias === undefined ? {} : { ifalias: o.alias }) : { ifalias: MARK }),
        linkinfo: { info_kind: o.kind ?? "vxlan", info_data: { id: o.id ?? 42, remote: o.remote ?? "192.0.2.2", local: "192.0.2.1", link: "hv0", port_range: { low: 0, high: 0 }, port: 4789, learning: true } } }]);
    const outputs = { ...spec, mtu: 1450, ifindex: 3, mac: MAC };

    it("create: the underlay's MTU read, the add with MTU 1500 - 50 and the mark in one process, then a read back", async () => {
        const h = fakeHost("hfkA").on(UNDERLAY, { stdout: j([{ ifindex: 2, ifname: "hv0", mtu: 1500, flags: ["UP"] }]) }).on(ADD, {}).on(SHOW, { stdout: vx() });
        const out = await tu.create(S(h, "create"), spec);
        expect(h.lines).toEqual([line(UNDERLAY), line(ADD), line(SHOW)]);
        expect(h.calls[1]!.input).toBe(`link add name vx0 mtu 1450 up type vxlan id 42 local 192.0.2.1 remote 192.0.2.2 dstport 4789 learning dev hv0\nlink set dev vx0 alias "${MARK}"\n`);
        expect(out).toEqual(outputs);
    });

    it("create with the underlay missing: refused before the add, with the ordering hint", async () => {
        const h = fakeHost("hfkA").on(UNDERLAY, { exitCode: 1, stderr: SAYS.noDevice("hv0") });
        const e = await failure(tu.create(S(h, "create"), spec));
        expect(h.lines).toEqual([line(UNDERLAY)]);
        expect(e.hint).toBe("the underlay hv0 does not exist in hfkA: create it first and pass link.name as dev so Pulumi orders the two");
    });

    it("create of a type this kernel lacks: one line naming the kernel option", async () => {
        const gre = tu.normalize!(tu.schema.parse({ ...raw, type: "gre", vni: undefined, mtu: 1476 }) as Parameters<typeof tu.create>[1]);
        const h = fakeHost("hfkA").on(ADD, { exitCode: 2, stderr: 'Error: Unknown device type.\n' });
        const e = await failure(tu.create(S(h, "create"), gre));
        expect(h.lines).toEqual([line(ADD)]);
        expect(e.hint).toMatch(/CONFIG_NET_IPGRE/);
        expect(e.hint).not.toContain("\n");
    });

    it("create, exists with another stack's mark: refused; with this resource's mark: taken back", async () => {
        const foreign = fakeHost("hfkA").on(UNDERLAY, { stdout: j([{ mtu: 1500 }]) }).on(ADD, { exitCode: 2, stderr: SAYS.batchExists }).on(SHOW, { stdout: vx({ alias: FOREIGN }) });
        const e = await failure(tu.create(S(foreign, "create"), { ...spec, adopt: true }));
        expect(e.hint).toContain("belongs to stack other/prod");
        expect(foreign.lines).toEqual([line(UNDERLAY), line(ADD), line(SHOW)]);
        const ours = fakeHost("hfkA").on(UNDERLAY, { stdout: j([{ mtu: 1500 }]) }).on(ADD, { exitCode: 2, stderr: SAYS.batchExists }).on(SHOW, { stdout: vx() }).on(SET, {});
        expect(await tu.create(S(ours, "create"), spec)).toEqual(outputs);
        expect(ours.lines).not.toContain(line(DEL));
    });

    it("create, adopt over a tunnel with another VNI: refused, nothing changed", async () => {
        const h = fakeHost("hfkA").on(UNDERLAY, { stdout: j([{ mtu: 1500 }]) }).on(ADD, { exitCode: 2, stderr: SAYS.batchExists }).on(SHOW, { stdout: vx({ alias: undefined, id: 7 }) });
        const e = await failure(tu.create(S(h, "create"), { ...spec, adopt: true }));
        expect(e.hint).toBe("adopt: true found no matching tunnel to take over: its VNI is 7, not 42. Remove it or give this tunnel another name");
        expect(h.lines.filter((l) => / link set /.test(l))).toEqual([]);
    });

    it("read: the live tunnel; drift (remote changed by hand) under the input names; gone", async () => {
        const h = fakeHost("hfkA").on(SHOW, { stdout: vx() }, 1).on(SHOW, { stdout: vx({ remote: "192.0.2.9" }) }, 1).on(SHOW, { exitCode: 1, stderr: SAYS.noDevice("vx0") }, 1);
        expect(await tu.read(S(h, "read"), outputs)).toEqual(outputs);
        expect((await tu.read(S(h, "read"), outputs))?.remote).toBe("192.0.2.9");
        expect(await tu.read(S(h, "read"), outputs)).toBeUndefined();
    });

    it("update: the MTU in one command, the remote in another (the kernel refuses both in one), then the read", async () => {
        const h = fakeHost("hfkA").on(SET, {}).on(SHOW, { stdout: vx({ mtu: 1400, remote: "192.0.2.9" }) });
        const out = await tu.update(S(h, "update"), outputs, { ...spec, mtu: 1400, remote: "192.0.2.9" });
        expect(h.lines).toEqual(["ip -n hfkA link set dev vx0 mtu 1400", "ip -n hfkA link set dev vx0 type vxlan remote 192.0.2.9", line(SHOW)]);
        expect(out).toEqual({ ...outputs, mtu: 1400, remote: "192.0.2.9" });
    });

    it("update with no change: only the read", async () => {
        const h = fakeHost("hfkA").on(SHOW, { stdout: vx() });
        await tu.update(S(h, "update"), outputs, { ...spec, mtu: 1450 });
        expect(h.lines).toEqual([line(SHOW)]);
    });

    it("delete: whose it is, then del; another stack's left alone", async () => {
        const h = fakeHost("hfkA").on(SHOW, { stdout: vx() }).on(DEL, {});
        await tu.delete(S(h, "delete"), outputs);
        expect(h.lines).toEqual([line(SHOW), line(DEL)]);
        const foreign = fakeHost("hfkA").on(SHOW, { stdout: vx({ alias: FOREIGN }) });
        const { lines } = await warnings(() => tu.delete(S(foreign, "delete"), outputs));
        expect(foreign.lines).toEqual([line(SHOW)]);
        expect(lines.join("")).toContain("interface vx0 in hfkA belongs to stack other/prod");
    });
});

describe("LinkShaping through the fake host", () => {
    const sh = kinds.LinkShaping;
    const LINK_MARK = markOf("VethPair", "pair1");
    const S = (h: FakeHost, op: "create" | "read" | "update" | "delete", owner = true) => subject("LinkShaping", op, "shape1", h, owner);
    const spec = sh.schema.parse({ namespace: "hfkA", dev: "hv0", rate: "10mbit", burst: "32kb", latency: "50ms" }) as Parameters<typeof sh.create>[1];
    const LINK = ["ip", "-n", "hfkA", "-j", "link", "show", "dev", "hv0"];
    const SHOW = ["tc", "-n", "hfkA", "-raw", "-j", "qdisc", "show", "dev", "hv0"];
    const ADD = ["tc", "-n", "hfkA", "qdisc", "add", "dev", "hv0", "root", "handle", "4d:", "tbf", "rate", "10000000bit", "burst", "32768", "latency", "50000us"];
    const DEL = ["tc", "-n", "hfkA", "qdisc", "del", "dev", "hv0", "root"];
    const link = (alias: string | undefined = LINK_MARK) => j([{ ifindex: 2, ifname: "hv0", mtu: 1500, flags: ["UP"], ...(alias === undefined ? {} : { ifalias: alias }) }]);
    const DEFAULT = j([{ kind: "noqueue", handle: "0:", root: true, options: {} }]);
    const TBF = (rate = 1250000) => j([{ kind: "tbf", handle: "4d:", root: true, options: { rate, burst: 32767, lat: 50000, limit: 95268 } }]);
    const outputs = { ...spec, ifindex: 2, qdisc: "tbf", rateBytes: 1250000 };

    it("create on a link of this stack: the qdiscs read, one tc add under the kind's handle, then the read back", async () => {
        const h = fakeHost("hfkA").on(LINK, { stdout: link() }).on(SHOW, { stdout: DEFAULT }, 1).on(ADD, {}).on(SHOW, { stdout: TBF() });
        const out = await sh.create(S(h, "create"), spec);
        expect(h.lines).toEqual([line(LINK), line(SHOW), line(ADD), line(LINK), line(SHOW)]);
        expect(out).toEqual(outputs);
    });

    it("create on a link of another stack: refused before any tc command", async () => {
        const h = fakeHost("hfkA").on(LINK, { stdout: link(FOREIGN) });
        const e = await failure(sh.create(S(h, "create"), spec));
        expect(h.lines).toEqual([line(LINK)]);
        expect(e.hint).toContain("belongs to stack other/prod");
    });

    it("create over a root qdisc someone else made: refused, naming it, unless adopt", async () => {
        const theirs = j([{ kind: "htb", handle: "1:", root: true, options: {} }]);
        const h = fakeHost("hfkA").on(LINK, { stdout: link() }).on(SHOW, { stdout: theirs });
        const e = await failure(sh.create(S(h, "create"), spec));
        expect(e.hint).toBe("hv0 in hfkA already has a root qdisc of its own (htb, handle 1:) that this stack did not make: a qdisc carries no ownership mark, so it is left alone; remove it (tc -n hfkA qdisc del dev hv0 root) or set adopt: true to replace it (destroy then removes it)");
        const replace = ["tc", "-n", "hfkA", "qdisc", "replace", ...ADD.slice(5)];
        const a = fakeHost("hfkA").on(LINK, { stdout: link() }).on(SHOW, { stdout: theirs }, 1).on(replace, {}).on(SHOW, { stdout: TBF() });
        await sh.create(S(a, "create"), { ...spec, adopt: true });
        expect(a.lines).toContain(line(replace));
    });

    it("create with netem on this kernel: the one line, and nothing left (the root made here removed)", async () => {
        const n = sh.schema.parse({ namespace: "hfkA", dev: "hv0", delay: "20ms" }) as Parameters<typeof sh.create>[1];
        const h = fakeHost("hfkA").on(LINK, { stdout: link() }).on(SHOW, { stdout: DEFAULT }).on(["tc", "-n", "hfkA", "qdisc", "add"], { exitCode: 2, stderr: "Error: Specified qdisc kind is unknown.\n" }).on(DEL, { exitCode: 2, stderr: "Error: Cannot delete qdisc with handle of zero.\n" });
        const e = await failure(sh.create(S(h, "create"), n));
        expect(e.hint.startsWith("this kernel has no netem qdisc")).toBe(true);
        expect(h.lines.at(-1)).toBe(line(DEL));
    });

    it("read: the live shaping; drift (the rate changed by hand) under the input names; removed by hand or namespace gone is gone", async () => {
        const h = fakeHost("hfkA").on(LINK, { stdout: link() }).on(SHOW, { stdout: TBF() }, 1).on(SHOW, { stdout: TBF(500000) }, 1).on(SHOW, { stdout: DEFAULT }, 1);
        expect(await sh.read(S(h, "read"), outputs)).toEqual(outputs);
        expect((await sh.read(S(h, "read"), outputs))?.rate).toBe("4000000bit");
        expect(await sh.read(S(h, "read"), outputs)).toBeUndefined();
        // The namespace gone between the link read and the qdisc read: gone, not a failure.
        const g = fakeHost("hfkA").on(LINK, { stdout: link() }).on(SHOW, (argv) => { g.removeNamespace("hfkA"); return { exitCode: 1, stderr: SAYS.nsGone("hfkA") }; });
        expect(await sh.read(S(g, "read"), outputs)).toBeUndefined();
    });

    it("read: a failed qdisc read throws rather than calling the shaping gone", async () => {
        const h = fakeHost("hfkA").on(LINK, { stdout: link() }).on(SHOW, { exitCode: 2, stderr: SAYS.notPermitted });
        const e = await failure(sh.read(S(h, "read"), outputs));
        expect(e.hint).toContain("could not read the qdiscs of hv0 in hfkA");
    });

    it("update: the same shape is one tc change, the link untouched", async () => {
        const change = ["tc", "-n", "hfkA", "qdisc", "change", "dev", "hv0", "root", "handle", "4d:", "tbf", "rate", "20000000bit", "burst", "32768", "latency", "50000us"];
        const h = fakeHost("hfkA").on(change, {}).on(LINK, { stdout: link() }).on(SHOW, { stdout: TBF(2500000) });
        const out = await sh.update(S(h, "update"), outputs, { ...spec, rate: "20mbit" });
        expect(h.lines).toEqual([line(change), line(LINK), line(SHOW)]);
        expect(out.rateBytes).toBe(2500000);
    });

    it("delete: whose the link is, the qdiscs, then tc qdisc del root; the kernel's default root is nothing to delete", async () => {
        const h = fakeHost("hfkA").on(LINK, { stdout: link() }).on(SHOW, { stdout: TBF() }).on(DEL, {});
        await sh.delete(S(h, "delete"), outputs);
        expect(h.lines).toEqual([line(LINK), line(SHOW), line(DEL)]);
        const d = fakeHost("hfkA").on(LINK, { stdout: link() }).on(SHOW, { stdout: DEFAULT });
        await sh.delete(S(d, "delete"), outputs);
        expect(d.lines).toEqual([line(LINK), line(SHOW)]);
    });

    it("delete on another stack's link: left alone with a warning", async () => {
        const h = fakeHost("hfkA").on(LINK, { stdout: link(FOREIGN) });
        const { lines } = await warnings(() => sh.delete(S(h, "delete"), outputs));
        expect(h.lines).toEqual([line(LINK)]);
        expect(lines.join("")).toContain("belongs to stack other/prod");
    });
});
