// Namespace against the real kernel: providers.Namespace, as the engine calls it.
import { describe, expect, it } from "vitest";
import { providers } from "../../provider/impl";
import { fileLifecycle } from "../support/lifecycle";
import { filePrefix } from "../support/prefix";
import { create, createFails, expectErrorShape, link, makeNamespace, netnsList, removeNamespace, sh, itInjecting, withFailingIp } from "./helpers";

const prefix = filePrefix("ns");
fileLifecycle(prefix); // leak check before clean-up (test/support/lifecycle.ts)

describe("Namespace", () => {
    it("create makes the namespace with its loopback up", async () => {
        const name = `${prefix}made`;
        const { id, outs } = await create("Namespace", { resourceName: "made", name });
        expect(id).toBe(name);
        expect(outs).toMatchObject({ name, adopt: false });
        expect(await netnsList()).toContain(name);
        const lo = await link(name, "lo");
        expect(lo?.flags).toContain("UP");
        expect(lo?.operstate).not.toBe("DOWN");
        await providers.Namespace.delete(id, outs);
        expect(await netnsList()).not.toContain(name);
    });

    it("create fails with the documented error when the namespace exists, and changes nothing", async () => {
        const name = await makeNamespace(`${prefix}taken`);
        await sh(["ip", "-n", name, "link", "set", "dev", "lo", "down"]);
        const err = await createFails("Namespace", { resourceName: "taken", name });
        expectErrorShape(err, {
            kind: "Namespace", name: "taken", op: "create",
            command: new RegExp(`^ip netns add ${name}$`),
            stderr: /File exists/,
            hint: /already exists.*adopt: true/,
        });
        // The existing namespace is left as it was: still there, loopback still down.
        expect(await netnsList()).toContain(name);
        expect((await link(name, "lo"))?.flags).not.toContain("UP");
        await removeNamespace(name); // made by hand above
    });

    it("adopt: true takes over an existing namespace and brings its loopback up", async () => {
        const name = await makeNamespace(`${prefix}adopted`);
        await sh(["ip", "-n", name, "link", "set", "dev", "lo", "down"]);
        // A marker link shows that the very same namespace was adopted, not a new one.
        await sh(["ip", "-n", name, "link", "add", "marker0", "type", "bridge"]);
        const { id, outs } = await create("Namespace", { resourceName: "adopted", name, adopt: true });
        expect(id).toBe(name);
        expect(outs).toMatchObject({ name, adopt: true });
        expect((await link(name, "lo"))?.flags).toContain("UP");
        expect(await link(name, "marker0")).toBeDefined();

        await providers.Namespace.delete(id, outs);
        expect(await netnsList()).not.toContain(name);
    });

    itInjecting("transactional create: a namespace whose lo-up step fails is removed again", async () => {
        const name = `${prefix}halfmade`;
        const err = await withFailingIp([["-n", name, "link", "set", "dev", "lo", "up"]], () => createFails("Namespace", { resourceName: "halfmade", name }));
        expectErrorShape(err, {
            kind: "Namespace", name: "halfmade", op: "create",
            command: new RegExp(`^ip -n ${name} link set dev lo up$`),
            stderr: /Operation not permitted/,
            hint: /root/,
        });
        expect(await netnsList()).not.toContain(name);
    });

    itInjecting("a failed lo-up step on an adopted namespace leaves that namespace alone", async () => {
        const name = await makeNamespace(`${prefix}notmine`);
        const err = await withFailingIp([["-n", name, "link", "set", "dev", "lo", "up"]], () => createFails("Namespace", { resourceName: "notmine", name, adopt: true }));
        expect(err.message).toMatch(/^Namespace "notmine" create failed/);
        expect(await netnsList()).toContain(name);
        await removeNamespace(name);
    });

    it("read returns the live namespace, and {} once it was removed by hand", async () => {
        const name = `${prefix}readme`;
        const { id, outs } = await create("Namespace", { resourceName: "readme", name });
        expect(await providers.Namespace.read(id, outs)).toEqual({ id, props: outs });

        await removeNamespace(name);
        expect(await netnsList()).not.toContain(name);
        const r = await providers.Namespace.read(id, outs);
        expect(r).toEqual({});
        expect((r as { id?: string }).id).toBeUndefined();
    });

    it("a name change is a replacement, adopt alone is no change", async () => {
        const name = `${prefix}diff`;
        const olds = { resourceName: "diff", name, adopt: false };
        expect(await providers.Namespace.diff(name, olds, { ...olds, name: `${name}2` })).toMatchObject({ changes: true, replaces: ["name"], deleteBeforeReplace: true });
        expect(await providers.Namespace.diff(name, olds, { ...olds, adopt: true })).toMatchObject({ changes: false });
    });

    it("delete removes the namespace and is idempotent", async () => {
        const name = `${prefix}gone`;
        const { id, outs } = await create("Namespace", { resourceName: "gone", name });
        expect(await netnsList()).toContain(name);

        await providers.Namespace.delete(id, outs);
        expect(await netnsList()).not.toContain(name);
        await expect(providers.Namespace.delete(id, outs)).resolves.toBeUndefined();
        expect(await netnsList()).not.toContain(name);
    });

    it("delete succeeds when the namespace was already removed by hand", async () => {
        const name = `${prefix}byhand`;
        const { id, outs } = await create("Namespace", { resourceName: "byhand", name });
        await removeNamespace(name);
        await expect(providers.Namespace.delete(id, outs)).resolves.toBeUndefined();
        expect(await netnsList()).not.toContain(name);
    });
});
