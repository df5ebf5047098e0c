// The leak check's own proof: this file leaks on purpose, and the run must fail because of it.
// It is not part of the normal run: Vitest collects test/proof only when
// PULUMI_NETNS_TEST_LAYERS names the layer "proof", which scripts/prove-leak-check.sh does (it
// then asserts that npm test failed and that its closing line counts the failures, and removes
// whatever is left).
//
// Three leaks, each caught by a different part:
//   - a namespace with the file's prefix: the file's leak check (test/support/lifecycle.ts);
//   - a veth whose end escaped into the host namespace (named `<run prefix>leak`), its peer in a
//     namespace of the file: the file's leak check, which runs before the clean-up; the clean-up
//     deletes that namespace, and the pair with it, so a check after it would have seen nothing;
//   - a namespace with the run's prefix but not the file's: it survives the file's clean-up, and
//     the global teardown's leak check (test/support/global-setup.ts) must catch it.
import { inject, it } from "vitest";
import { sh } from "../e2e/resource-support";
import { fileLifecycle } from "../support/lifecycle";
import { filePrefix } from "../support/prefix";

const prefix = filePrefix("proof");
fileLifecycle(prefix);

it("leaks a namespace with the file's prefix", async () => {
    await sh("ip", "netns", "add", `${prefix}ns`);
});

it("leaks a veth end into the host namespace, its peer in a namespace of the file", async () => {
    await sh("ip", "netns", "add", `${prefix}far`);
    await sh("ip", "link", "add", `${inject("runPrefix")}leak`, "type", "veth", "peer", "name", "p0", "netns", `${prefix}far`);
});

it("leaks a namespace with the run's prefix, outside the file's", async () => {
    await sh("ip", "netns", "add", `${inject("runPrefix")}stray`);
});
