// The SFMC emulator in a process of its own, with a short keep-alive timeout: it closes an idle
// connection while the test process is busy, as SFMC's load balancers do. Forked with tsx;
// answers its URL over IPC and runs until killed.
import { startEmulator } from "../../emulator/server.ts";

const [keepAliveMs, frozenAt] = process.argv.slice(2).map(Number);
const emulator = await startEmulator({
  port: 0,
  clock: { mode: "frozen", frozenAt: frozenAt as number },
});
emulator.app.server.keepAliveTimeout = keepAliveMs as number;
process.send?.({ url: emulator.url });
