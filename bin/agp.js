#!/usr/bin/env node
// The installed `agp` command: a thin shim over the compiled CLI in dist/.
import { main } from "../dist/compiler/cli/main.js";

process.exitCode = await main(process.argv.slice(2));
