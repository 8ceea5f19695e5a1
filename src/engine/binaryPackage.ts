// Which of node-llama-cpp's prebuilt binary packages this machine needs, named the way the library
// names them, so a missing one is reported by name instead of as "no binary found".
export interface BinaryPlatform {
  readonly platform: NodeJS.Platform;
  readonly arch: string;
  /** Linux only: false on musl (Alpine), which has no prebuilt binary. */
  readonly glibc: boolean;
}

/** The @node-llama-cpp/* package with this platform's CPU (or Metal) build; undefined where none is published. */
export function binaryPackageName(machine: BinaryPlatform): string | undefined {
  if (machine.platform === 'darwin') return machine.arch === 'arm64' ? '@node-llama-cpp/mac-arm64-metal' : machine.arch === 'x64' ? '@node-llama-cpp/mac-x64' : undefined;
  if (machine.platform === 'win32') return machine.arch === 'x64' || machine.arch === 'arm64' ? `@node-llama-cpp/win-${machine.arch}` : undefined;
  if (machine.platform === 'linux' && machine.glibc) return ['x64', 'arm64', 'armv7l'].includes(machine.arch) ? `@node-llama-cpp/linux-${machine.arch}` : undefined;
  return undefined;
}

/** The sentence the user sees when node-llama-cpp found no binary to load. */
export function missingBinaryMessage(machine: BinaryPlatform, version: string): string {
  const where = `${machine.platform}-${machine.arch}`;
  if (machine.platform === 'linux' && !machine.glibc) {
    return `No llama.cpp binary is published for musl Linux (Alpine) (${where}), so Hearth cannot run a model here. Use a glibc-based system or remote (Debian, Ubuntu, Fedora…).`;
  }
  const name = binaryPackageName(machine);
  if (name === undefined) return `No llama.cpp binary is published for ${where}, so Hearth cannot run a model on this machine.`;
  return `Hearth's llama.cpp binary for ${where} (${name} ${version}) is missing from this installation, so no model can run. Install the Hearth package built for this platform (the .vsix named ${vsceTargetOf(machine) ?? where}); Hearth never downloads or builds it at run time.`;
}

function vsceTargetOf(machine: BinaryPlatform): string | undefined {
  return ['linux', 'darwin', 'win32'].includes(machine.platform) ? `${machine.platform}-${machine.arch}` : undefined;
}

/** This process's machine. */
export function currentPlatform(): BinaryPlatform {
  const header = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  return { platform: process.platform, arch: process.arch, glibc: process.platform !== 'linux' || header?.header?.glibcVersionRuntime !== undefined };
}
