// The foundation works end to end: the real CLI stores our dynamic provider in the state (one
// line, provider/dynamic.ts) and runs it in its own process through preview, up, a no-change
// preview and destroy.
import { afterAll, describe, expect, it } from "vitest";
import { describeLeaks, leaks, namespaces, removeNamespaces } from "../support/host";
import { filePrefix, hostLinksBefore } from "../support/prefix";
import { storedProvider } from "../../provider/dynamic";
import { FIXTURE, removeState, TestStack } from "./harness";

const prefix = filePrefix("smoke");

describe("a Namespace through the real Pulumi CLI", () => {
    let stack: TestStack | undefined;

    afterAll(async () => {
        await stack?.dispose();
        await removeNamespaces(prefix);
        removeState();
        expect(describeLeaks(await leaks(prefix, hostLinksBefore()))).toBeUndefined();
    });

    it("previews, creates, changes nothing on a second preview, and destroys", async () => {
        const name = `${prefix}one`;
        stack = await TestStack.create(`${prefix}stack`, FIXTURE, {
            resources: JSON.stringify([{ kind: "Namespace", name: "one", args: { name } }]),
        });

        expect(await stack.changes()).toEqual(["create one"]);
        expect(await namespaces()).not.toContain(name); // preview made nothing

        await stack.up();
        expect(await namespaces()).toContain(name);
        const one = await stack.resource("one");
        expect(one?.id).toBe(name);
        expect(one?.outputs.__provider).toBe(storedProvider("Namespace")); // what the engine's provider host loads

        await stack.expectNoChanges();

        await stack.destroy();
        expect(await namespaces()).not.toContain(name);
    });
});
