// The marked create path (an ownership mark is given: the add and the mark go in one `ip -batch -`)
// against the real kernel, when it fails: a failed create removes only what it made itself
// (provider/ownership/made.ts), never an interface that merely has the name it asked for. Each scene leaves
// the foreign object as it was (same ifindex, kind, peer and alias) and nothing of this create.
import { beforeAll, describe, expect, it } from "vitest";
import { formatMark } from "../../provider/ownership/owner";
import { KilledError } from "../../provider/host/run";
import { fileLifecycle } from "../support/lifecycle";
import { filePrefix } from "../support/prefix";
import { createFails, ipj, itInjecting, link, linkNames, makeNamespace, netnsList, sh, withKilledIp, type LinkJson } from "./helpers";

const prefix = filePrefix("vsmark");
const A = `${prefix}a`;
const B = `${prefix}b`;
const NOWHERE = `${prefix}nowhere`;
fileLifecycle(prefix, { fixtures: [A, B] }); // A and B are made in beforeAll; anything else with the prefix is a leak

const mine = { project: "markedtest", stack: "a" };
const theirs = { project: "markedtest", stack: "b" };

beforeAll(async () => {
    await makeNamespace(A);
    await makeNamespace(B);
});

interface Seen { ifindex: number; kind: string | undefined; peer: string | number | undefined; alias: string | undefined }

async function seen(ns: string, dev: string): Promise<Seen | undefined> {
    const l = (await ipj<LinkJson & { ifalias?: string }>(ns, ["-d", "link", "show", "dev", dev]))[0];
    return l && { ifindex: l.ifindex, kind: l.linkinfo?.info_kind, peer: l.link ?? l.link_index, alias: l.ifalias };
}

/** A hand-made veth `name` in A, its peer `peer` in A too (an eth0-like name someone made). */
async function handVeth(name: string, peer: string, alias?: string): Promise<Seen> {
    await sh(["ip", "-n", A, "link", "add", name, "type", "veth", "peer", "name", peer]);
    if (alias !== undefined) await sh(["ip", "-n", A, "link", "set", "dev", name, "alias", alias]);
    const s = await seen(A, name);
    expect(s?.kind).toBe("veth");
    return s!;
}

async function removeHand(ns: string, name: string): Promise<void> {
    await sh(["ip", "-n", ns, "link", "del", "dev", name]);
}

describe("marked VethPair create that fails", () => {
    it("with a peer namespace that does not exist: a hand-made eth0 of the same name survives", async () => {
        const before = await handVeth("eth0", "eth0p");
        const namesA = await linkNames(A);
        const err = await createFails("VethPair", { resourceName: "nopeerns", name: "eth0", namespace: A, peerName: "vsp0", peerNamespace: NOWHERE, __owner: mine });
        expect(err.message).toMatch(/^VethPair "nopeerns" create failed \(ip exited [1-9]\d*\)/);
        expect(await seen(A, "eth0")).toEqual(before);
        expect(await linkNames(A)).toEqual(namesA);
        expect(await netnsList()).not.toContain(NOWHERE);
        await removeHand(A, "eth0");
    });

    it("with a master that does not exist: a hand-made eth0 of the same name survives, and nothing reaches the peer namespace", async () => {
        const before = await handVeth("eth0", "eth0p");
        const err = await createFails("VethPair", { resourceName: "nomaster", name: "eth0", namespace: A, master: "vsnobr0", peerName: "vsp1", peerNamespace: B, __owner: mine });
        expect(err.stderr).toMatch(/vsnobr0.*Device does not exist/);
        expect(err.hint).toMatch(/bridge \(master vsnobr0\) does not exist/);
        expect(await seen(A, "eth0")).toEqual(before);
        expect(await link(B, "vsp1")).toBeUndefined();
        await removeHand(A, "eth0");
    });

    it("with a peer master that does not exist (the second step): both ends it made are removed", async () => {
        const namesA = await linkNames(A);
        const namesB = await linkNames(B);
        const err = await createFails("VethPair", { resourceName: "nopeermaster", name: "vsq2", namespace: A, peerName: "vsp2", peerNamespace: B, peerMaster: "vsnobr1", __owner: mine });
        expect(err.stderr).toMatch(/Device does not exist|Cannot find device/);
        expect(await linkNames(A)).toEqual(namesA);
        expect(await linkNames(B)).toEqual(namesB);
    });

    it("with the name taken by another stack's veth: refused naming its owner, the veth untouched", async () => {
        const mark = formatMark({ ...theirs, kind: "VethPair", name: "other" });
        const before = await handVeth("vsf0", "vsf0p", mark);
        const err = await createFails("VethPair", { resourceName: "taken", name: "vsf0", namespace: A, peerName: "vsp3", peerNamespace: B, __owner: mine });
        expect(err.stderr).toMatch(/File exists/);
        expect(err.hint).toContain(`interface vsf0 in ${A} belongs to stack markedtest/b (VethPair other)`);
        expect(await seen(A, "vsf0")).toEqual(before);
        expect(await link(B, "vsp3")).toBeUndefined();
        await removeHand(A, "vsf0");
    });

    it("with the peer name taken by a hand-made bridge in the peer namespace: nothing made, the bridge untouched", async () => {
        await sh(["ip", "-n", B, "link", "add", "vsbr3", "type", "bridge"]);
        const before = await seen(B, "vsbr3");
        const namesA = await linkNames(A);
        const err = await createFails("VethPair", { resourceName: "peertaken", name: "vsq4", namespace: A, peerName: "vsbr3", peerNamespace: B, __owner: mine });
        expect(err.stderr).toMatch(/File exists/);
        expect(await seen(B, "vsbr3")).toEqual(before);
        expect(await linkNames(A)).toEqual(namesA);
        await removeHand(B, "vsbr3");
    });

    // An add that does not finish: killed by the 60 s limit or by a signal (here SIGKILL, from a
    // fake ip on PATH that runs the real one first, or part of it).
    const batch = [["-n", A, "-echo", "-j", "-batch", "-"]];

    itInjecting("killed after the add and the mark ran, its echo lost: the mark proves it made the pair, which is removed", async () => {
        const namesA = await linkNames(A);
        const namesB = await linkNames(B);
        const err = await withKilledIp(batch, { when: "after", quiet: true },
            () => createFails("VethPair", { resourceName: "killed1", name: "vsk1", namespace: A, peerName: "vsk1p", peerNamespace: B, __owner: mine }));
        expect(err).toBeInstanceOf(KilledError);
        expect(err.message).toMatch(/^VethPair "killed1" create failed\n/);
        expect(err.stderr).toMatch(/killed by SIGKILL/);
        expect(err.hint).toMatch(/the pair it made was removed/);
        expect(await linkNames(A)).toEqual(namesA);
        expect(await linkNames(B)).toEqual(namesB);
    });

    itInjecting("killed after the add only (no mark yet), its echo printed: the echo proves it made the pair, which is removed", async () => {
        const namesA = await linkNames(A);
        const namesB = await linkNames(B);
        const err = await withKilledIp(batch, { when: "first-line" },
            () => createFails("VethPair", { resourceName: "killed2", name: "vsk2", namespace: A, peerName: "vsk2p", peerNamespace: B, __owner: mine }));
        expect(err).toBeInstanceOf(KilledError);
        expect(err.hint).toMatch(/the pair it made was removed/);
        expect(await linkNames(A)).toEqual(namesA);
        expect(await linkNames(B)).toEqual(namesB);
    });

    itInjecting("killed before it ran: a hand-made eth0 of the same name survives, and the hint says nothing was removed", async () => {
        const before = await handVeth("eth0", "eth0p");
        const err = await withKilledIp(batch, { when: "before" },
            () => createFails("VethPair", { resourceName: "killed3", name: "eth0", namespace: A, peerName: "vsk3p", peerNamespace: B, __owner: mine }));
        expect(err).toBeInstanceOf(KilledError);
        expect(err.hint).toMatch(/nothing proves that it made eth0 in .*so nothing was removed/);
        expect(await seen(A, "eth0")).toEqual(before);
        await removeHand(A, "eth0");
    });

    itInjecting("killed after the add only, its echo lost: no proof, so the unmarked pair is left in place and the hint says how to remove it (the limit)", async () => {
        const err = await withKilledIp(batch, { when: "first-line", quiet: true },
            () => createFails("VethPair", { resourceName: "killed4", name: "vsk4", namespace: A, peerName: "vsk4p", peerNamespace: B, __owner: mine }));
        expect(err).toBeInstanceOf(KilledError);
        expect(err.hint).toContain(`remove it (ip -n ${A} link del dev vsk4)`);
        expect((await seen(A, "vsk4"))?.alias).toBeUndefined(); // made, never marked: it could have been anyone's
        await removeHand(A, "vsk4");
    });
});

describe("marked Bridge create that fails", () => {
    it("with the name taken by a hand-made veth: refused, the veth untouched", async () => {
        const before = await handVeth("vsbr0", "vsbr0p");
        const err = await createFails("Bridge", { resourceName: "brtaken", name: "vsbr0", namespace: A, __owner: mine });
        expect(err.stderr).toMatch(/File exists/);
        expect(await seen(A, "vsbr0")).toEqual(before);
        await removeHand(A, "vsbr0");
    });

    it("with the name taken by another stack's bridge: refused naming its owner, the bridge untouched", async () => {
        await sh(["ip", "-n", A, "link", "add", "vsbr1", "type", "bridge"]);
        await sh(["ip", "-n", A, "link", "set", "dev", "vsbr1", "alias", formatMark({ ...theirs, kind: "Bridge", name: "theirs" })]);
        const before = await seen(A, "vsbr1");
        const err = await createFails("Bridge", { resourceName: "brtheirs", name: "vsbr1", namespace: A, __owner: mine });
        expect(err.hint).toContain(`interface vsbr1 in ${A} belongs to stack markedtest/b (Bridge theirs)`);
        expect(await seen(A, "vsbr1")).toEqual(before);
        await removeHand(A, "vsbr1");
    });

    const batch = [["-n", A, "-batch", "-"]];

    itInjecting("killed after the add and the mark ran: the mark proves it made the bridge, which is removed", async () => {
        const namesA = await linkNames(A);
        const err = await withKilledIp(batch, { when: "after" }, () => createFails("Bridge", { resourceName: "brkilled", name: "vsbrk", namespace: A, __owner: mine }));
        expect(err).toBeInstanceOf(KilledError);
        expect(err.hint).toMatch(/the bridge it made was removed/);
        expect(await linkNames(A)).toEqual(namesA);
    });

    itInjecting("killed before it ran: a hand-made bridge of the same name survives", async () => {
        await sh(["ip", "-n", A, "link", "add", "vsbrh", "type", "bridge"]);
        const before = await seen(A, "vsbrh");
        const err = await withKilledIp(batch, { when: "before" }, () => createFails("Bridge", { resourceName: "brkilled2", name: "vsbrh", namespace: A, __owner: mine }));
        expect(err).toBeInstanceOf(KilledError);
        expect(err.hint).toMatch(/nothing proves that it made vsbrh/);
        expect(await seen(A, "vsbrh")).toEqual(before);
        await removeHand(A, "vsbrh");
    });

    itInjecting("an MTU step killed after the add: the bridge it made is removed", async () => {
        const namesA = await linkNames(A);
        const err = await withKilledIp([["-n", A, "link", "set", "dev", "vsbrm", "mtu"]], { when: "before" },
            () => createFails("Bridge", { resourceName: "brmtu", name: "vsbrm", namespace: A, mtu: 1400, __owner: mine }));
        expect(err).toBeInstanceOf(KilledError);
        expect(await linkNames(A)).toEqual(namesA);
    });
});

it("the hand-made objects of this file are gone again (each scene removed its own)", async () => {
    for (const n of ["eth0", "eth0p", "vsf0", "vsbr0", "vsbr1", "vsbrh", "vsk4"]) expect(await link(A, n)).toBeUndefined();
    expect(await link(B, "vsbr3")).toBeUndefined();
});
