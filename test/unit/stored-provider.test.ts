// The provider code stored in the state with every resource (provider/engine/dynamic.ts). The engine's
// dynamic provider host loads the `__provider` text with require-from-string and calls
// `handler()` (no file name: module paths from the working directory, the program directory).
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { storedProvider } from "../../provider/engine/dynamic";
import { providers } from "../../provider/impl";
import { schemas, type Kind } from "../../provider/kinds/schemas";

const requireFromString: (code: string) => { handler: () => unknown } =
    createRequire(require.resolve("@pulumi/pulumi"))("require-from-string");
const kinds = Object.keys(schemas) as Kind[];

describe("stored provider", () => {
    it.each(kinds)("%s: loads the installed implementation of its kind through the package name", (kind) => {
        const text = storedProvider(kind);
        expect(text).toContain('require("pulumi-netns/dist/provider/impl.js")');
        const loaded = requireFromString(text).handler() as Record<string, unknown>;
        // The compiled copy in dist/ (what the host loads) has the same methods as the source.
        expect(Object.keys(loaded).sort()).toEqual(Object.keys(providers[kind]).sort());
        for (const m of ["check", "diff", "create", "read", "update", "delete"]) expect(typeof loaded[m]).toBe("function");
    });

    it("is one short line per kind with no path of this machine in it", () => {
        for (const kind of kinds) {
            const text = storedProvider(kind);
            expect(text.length).toBeLessThan(120);
            expect(text).not.toMatch(/\/(work|home|root|tmp|usr)\//);
            expect(text).toBe(storedProvider(kind)); // the same text for every resource: the host caches by text
        }
        expect(new Set(kinds.map(storedProvider)).size).toBe(kinds.length);
    });
});
