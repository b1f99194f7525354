// Placeholder until the native-backend setup lands: the library runs on wasm or cpu.
process.exit(0);
