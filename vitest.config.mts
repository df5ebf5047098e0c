import { defineConfig } from "vitest/config";

export default defineConfig({
    test: {
        include: ["test/**/*.test.ts"],
        globalSetup: ["test/support/global-setup.ts"],
        // Integration and end-to-end tests share the kernel and the CPU: one file at a time.
        fileParallelism: false,
        testTimeout: 300_000,
        hookTimeout: 300_000,
        reporters: ["default"],
    },
});
