import { defineConfig } from "vitest/config";

// The layers scripts/test.sh knows. test/proof holds the leak check's own proof, which is meant
// to fail: it is collected only when PULUMI_NETNS_TEST_LAYERS names it (scripts/prove-leak-check.sh).
const layers = (process.env.PULUMI_NETNS_TEST_LAYERS ?? "").split(/[\s,]+/);

export default defineConfig({
    test: {
        include: [
            "test/{unit,integration,e2e,reliability}/**/*.test.ts",
            ...(layers.includes("proof") ? ["test/proof/**/*.test.ts"] : []),
        ],
        globalSetup: ["test/support/global-setup.ts"],
        // Integration and end-to-end tests share the kernel and the CPU: one file at a time.
        fileParallelism: false,
        testTimeout: 300_000,
        hookTimeout: 300_000,
        reporters: ["default"],
    },
});
