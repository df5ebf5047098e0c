// Outputs with an undefined value make the engine fail with "Unexpected struct type": every
// provider method passes its outputs through storable() before returning them.
import { describe, expect, it } from "vitest";
import { storable } from "../../provider/impl";

describe("storable", () => {
    it("drops undefined values and keeps everything else, falsy values included", () => {
        expect(storable({ a: 1, b: undefined, c: "", d: 0, e: false, f: null, g: { h: undefined } })).toEqual({ a: 1, c: "", d: 0, e: false, f: null, g: { h: undefined } });
        expect(Object.keys(storable({ master: undefined, name: "x" }))).toEqual(["name"]);
    });
});
