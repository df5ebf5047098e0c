import { describe, expect, it } from "vitest";
import { ALIAS_MAX, describeOwner, formatMark, parseMark, sameOwner } from "../../provider/owner";

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
