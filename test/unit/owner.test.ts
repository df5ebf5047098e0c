import { describe, expect, it } from "vitest";
import { decide } from "../../provider/engine/diff";
import { ownerInput, ownerMoved, providerFor } from "../../provider/impl";
import { markedLinks } from "../../provider/ownership/nsmark";
import { namespace } from "../../provider/kinds/namespace";
import { ALIAS_MAX, claimOf, describeOwner, formatMark, leftAlone, mayDelete, onExisting, parseMark, sameOwner } from "../../provider/ownership/owner";
import { validate } from "../../provider/kinds/schemas";

describe("ownership marks", () => {
    it("round-trips a full mark", () => {
        const text = formatMark({ project: "pulumi-netns", stack: "router", kind: "Namespace", name: "ns1" });
        expect(text).toBe("pulumi-netns/1 pulumi-netns/router Namespace ns1");
        expect(parseMark(text)).toEqual({ project: "pulumi-netns", stack: "router", kind: "Namespace", name: "ns1" });
        expect(describeOwner(parseMark(text)!)).toBe("stack pulumi-netns/router (Namespace ns1)");
    });

    it("keeps resource names with spaces (the name is the rest of the text)", () => {
        const text = formatMark({ project: "p", stack: "s", kind: "VethPair", name: "a b c" });
        expect(parseMark(text)).toEqual({ project: "p", stack: "s", kind: "VethPair", name: "a b c" });
    });

    it("drops the resource when the whole would not fit an alias, never the owner", () => {
        const text = formatMark({ project: "p".repeat(100), stack: "s".repeat(100), kind: "Namespace", name: "n".repeat(100) });
        expect(Buffer.byteLength(text)).toBeLessThanOrEqual(ALIAS_MAX);
        expect(parseMark(text)).toEqual({ project: "p".repeat(100), stack: "s".repeat(100) });
    });

    it("refuses owners that cannot be written", () => {
        expect(() => formatMark({ project: "a/b", stack: "s" })).toThrow(/project name/);
        expect(() => formatMark({ project: "p", stack: "has space" })).toThrow(/stack name/);
        expect(() => formatMark({ project: "p", stack: "" })).toThrow(/stack name/);
    });

    it("treats anything that is not exactly a mark as foreign", () => {
        for (const text of [undefined, null, "", "router lab", "pulumi-netns/2 p/s", "pulumi-netns/1 p", "pulumi-netns/1 p/s/t", " pulumi-netns/1 p/s",
            "pulumi-netns/1 p/s lowercase name", "pulumi-netns/1 p/s Namespace", "pulumi-netns/1 p/s Namespace a\nb", "pulumi-netns/1 " + "p".repeat(300) + "/s"]) {
            expect(parseMark(text), String(text)).toBeUndefined();
        }
    });

    it("compares owners by project and stack only", () => {
        expect(sameOwner({ project: "p", stack: "s" }, { project: "p", stack: "s", kind: "Namespace", name: "x" } as never)).toBe(true);
        expect(sameOwner({ project: "p", stack: "s" }, { project: "p", stack: "t" })).toBe(false);
        expect(sameOwner(undefined, { project: "p", stack: "s" })).toBe(false);
    });
});

describe("ownership decisions: whose an existing object is, and what create and delete do with it", () => {
    const me = { project: "p", stack: "s", kind: "Namespace", name: "ns1" };
    const mark = (m: Partial<typeof me> = {}) => formatMark({ ...me, ...m });
    const claims = {
        none: claimOf(undefined, me),
        handAlias: claimOf("uplink to the lab", me),
        thisResource: claimOf(mark(), me),
        thisStack: claimOf(mark({ name: "other" }), me),
        otherStack: claimOf(mark({ stack: "t" }), me),
        otherProject: claimOf(mark({ project: "q" }), me),
        unreadable: claimOf("pulumi-netns/9 whatever", me),
        noOwnerKnown: claimOf(mark(), undefined),
    };

    it("reads a mark as nobody's, this resource's, this stack's or another's", () => {
        expect(claims.none.by).toBe("nobody");
        expect(claims.handAlias.by).toBe("nobody");
        expect(claims.thisResource.by).toBe("this-resource");
        expect(claims.thisStack.by).toBe("this-stack");
        expect(claims.otherStack.by).toBe("other");
        expect(claims.otherProject.by).toBe("other");
        expect(claims.unreadable).toEqual({ by: "other", mark: undefined, text: "pulumi-netns/9 whatever" });
        // A state from before marks knows no owner: every mark is another's, never its own.
        expect(claims.noOwnerKnown.by).toBe("other");
    });

    it.each([
        // claim, adopt, adoptFrom -> take
        ["none", false, undefined, false],
        ["none", true, undefined, true],
        ["handAlias", true, undefined, true],
        ["thisResource", false, undefined, true],
        ["thisStack", false, undefined, false],
        ["thisStack", true, undefined, true],
        ["otherStack", false, undefined, false],
        ["otherStack", true, undefined, false],
        ["otherStack", true, "p/x", false],
        ["otherStack", false, "p/t", true],
        ["otherProject", true, "p/s", false],
        ["otherProject", true, "q/s", true],
        ["unreadable", true, undefined, false],
        ["noOwnerKnown", false, undefined, false],
    ] as const)("create meets %s (adopt %s, adoptFrom %s): take %s", (c, adopt, from, take) => {
        expect(onExisting(claims[c], "namespace ns1", me, adopt, from).take).toBe(take);
    });

    it("names the owner and the way out: the lab's commands for a lab stack, pulumi's for a user's", () => {
        const lab = { project: "pulumi-netns", stack: "two-hosts", kind: "Namespace", name: "ns1" };
        const router = claimOf(formatMark({ ...lab, stack: "router" }), lab);
        const v = onExisting(router, "namespace ns1", lab, false, undefined);
        expect(v.take ? "" : v.hint).toBe("namespace ns1 belongs to stack pulumi-netns/router (Namespace ns1): destroy that stack first (npm run lab -- destroy router), or run this one under a prefix (npm run lab -- up two-hosts prefix=b-)");
        const u = onExisting(claims.otherStack, "namespace ns1", me, true, undefined);
        expect(u.take ? "" : u.hint).toBe('namespace ns1 belongs to stack p/t (Namespace ns1): destroy that stack first (pulumi destroy --stack t, in project p), or give this one other names; or, to take it over on purpose, set adopt: true and adoptFrom: "p/t"');
        const n = onExisting(claims.none, "namespace ns1", me, false, undefined);
        expect(n.take ? "" : n.hint).toMatch(/carries no ownership mark: it was made by hand, by another tool.*adopt: true/);
        const r = onExisting(claims.unreadable, "namespace ns1", me, true, undefined);
        expect(r.take ? "" : r.hint).toMatch(/ownership mark that cannot be read .*treated as another stack's/);
    });

    it("delete leaves only another stack's objects (and unreadable marks) alone", () => {
        expect(Object.entries(claims).filter(([, c]) => !mayDelete(c)).map(([k]) => k)).toEqual(["otherStack", "otherProject", "unreadable", "noOwnerKnown"]);
        expect(leftAlone(claims.otherStack, "namespace ns1")).toBe("namespace ns1 belongs to stack p/t (Namespace ns1), not to this stack: left in place, and dropped from this stack's state");
    });

    it("leaves out a resource name that a batch line would cut (a quote, a '#')", () => {
        expect(formatMark({ ...me, name: 'a"b' })).toBe("pulumi-netns/1 p/s");
        expect(formatMark({ ...me, name: "a#b" })).toBe("pulumi-netns/1 p/s");
    });
});

describe("the owner input (__owner) of the resource class", () => {
    it("passes check and comes back with the inputs; never a diff, so stacks made before plan no change", async () => {
        const owner = { project: "p", stack: "s" };
        const { inputs, failures } = validate("Namespace", { name: "ns1", resourceName: "ns1", __owner: owner });
        expect(failures).toEqual([]);
        expect(inputs).toEqual({ name: "ns1", adopt: false, resourceName: "ns1", __owner: owner });
        const before = { name: "ns1", adopt: false, resourceName: "ns1" }; // a state from before marks
        expect(decide(namespace.diff, before, inputs!).changes).toBe(false);
        expect(decide(namespace.diff, { ...before, __owner: { project: "p", stack: "other" } }, inputs!).changes).toBe(false);
    });

    it("is refused at preview when it cannot be written in a mark, with one message", () => {
        const { failures } = validate("Namespace", { name: "ns1", __owner: { project: "p", stack: "has space" } });
        expect(failures).toEqual([{ property: "__owner", reason: expect.stringMatching(/^stack name "has space" cannot be written in an ownership mark .*rename the project or the stack$/) }]);
        expect(ownerInput({ __owner: { project: "p", stack: "has space" } })).toBeUndefined();
        expect(ownerInput({})).toBeUndefined();
        expect(ownerInput({ __owner: { project: "p", stack: "s" } })).toEqual({ project: "p", stack: "s" });
    });

    it("after a stack rename the owner moved: the provider's diff is an update in place (which rewrites the marks); a state from before marks is no move (issue 21 item 9)", async () => {
        const before = { name: "ns1", adopt: false, resourceName: "ns1" };
        const news = { ...before, __owner: { project: "p", stack: "new" } };
        expect(ownerMoved({ ...before, __owner: { project: "p", stack: "old" } }, news)).toBe(true);
        expect(await providerFor("Namespace").diff("ns1", { ...before, __owner: { project: "p", stack: "old" } }, news)).toEqual({ changes: true, replaces: [], deleteBeforeReplace: true });
        expect((await providerFor("Namespace").diff("ns1", { ...before, __owner: { project: "p", stack: "new" } }, news)).changes).toBe(false);
        expect((await providerFor("Namespace").diff("ns1", before, news)).changes).toBe(false);
        expect(ownerMoved(before, news)).toBe(false);
        expect(markedLinks("Namespace", { name: "ns1" })).toEqual([{ namespace: "ns1", dev: "lo" }]);
        expect(markedLinks("VethPair", { namespace: "a", name: "v0", peerNamespace: "b", peerName: "v1" })).toEqual([{ namespace: "a", dev: "v0" }, { namespace: "b", dev: "v1" }]);
        expect(markedLinks("Route", { namespace: "a" })).toEqual([]);
    });

    it("adoptFrom names an owner as PROJECT/STACK", () => {
        expect(validate("Namespace", { name: "ns1", adoptFrom: "pulumi-netns/router" }).failures).toEqual([]);
        expect(validate("Bridge", { name: "br0", namespace: "ns1", adoptFrom: "router" }).failures[0]).toMatchObject({ property: "adoptFrom", reason: expect.stringMatching(/PROJECT\/STACK/) });
    });
});
