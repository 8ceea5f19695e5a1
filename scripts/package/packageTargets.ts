// The platforms Hearth is packaged for: VS Code's target name, the node-llama-cpp prebuilt binary
// package each one carries, and the size budget of its .vsix. A budget is the measured size with
// room to grow; a package past it fails `npm run package` with the figure measured.
export type VsceTarget = 'linux-x64' | 'linux-arm64' | 'darwin-arm64' | 'darwin-x64' | 'win32-x64';
export type GpuVariant = 'cuda' | 'vulkan';

export interface PackageTarget {
  readonly target: VsceTarget;
  readonly platform: NodeJS.Platform;
  readonly arch: string;
  /** The @node-llama-cpp/* package(s) with the CPU (or, on Apple silicon, Metal) build. */
  readonly binaries: readonly string[];
  /** Extra binary packages a build option adds (node-llama-cpp falls back to the CPU build without them). */
  readonly gpu: Partial<Record<GpuVariant, readonly string[]>>;
  /** Most bytes the .vsix may have (without GPU variants). */
  readonly budgetBytes: number;
}

const MB = 1024 * 1024;

export const PACKAGE_TARGETS: Readonly<Record<VsceTarget, PackageTarget>> = {
  'linux-x64': {
    target: 'linux-x64',
    platform: 'linux',
    arch: 'x64',
    binaries: ['@node-llama-cpp/linux-x64'],
    gpu: { cuda: ['@node-llama-cpp/linux-x64-cuda', '@node-llama-cpp/linux-x64-cuda-ext'], vulkan: ['@node-llama-cpp/linux-x64-vulkan'] },
    // Measured 13.1 MiB (node-llama-cpp 3.21.1).
    budgetBytes: 16 * MB,
  },
  // Measured 9.9 MiB (node-llama-cpp 3.21.1).
  'linux-arm64': { target: 'linux-arm64', platform: 'linux', arch: 'arm64', binaries: ['@node-llama-cpp/linux-arm64'], gpu: {}, budgetBytes: 12 * MB },
  // Measured 7.7 MiB (node-llama-cpp 3.21.1).
  'darwin-arm64': { target: 'darwin-arm64', platform: 'darwin', arch: 'arm64', binaries: ['@node-llama-cpp/mac-arm64-metal'], gpu: {}, budgetBytes: 10 * MB },
  // Measured 13.3 MiB (node-llama-cpp 3.21.1).
  'darwin-x64': { target: 'darwin-x64', platform: 'darwin', arch: 'x64', binaries: ['@node-llama-cpp/mac-x64'], gpu: {}, budgetBytes: 16 * MB },
  'win32-x64': {
    target: 'win32-x64',
    platform: 'win32',
    arch: 'x64',
    binaries: ['@node-llama-cpp/win-x64'],
    gpu: { cuda: ['@node-llama-cpp/win-x64-cuda', '@node-llama-cpp/win-x64-cuda-ext'], vulkan: ['@node-llama-cpp/win-x64-vulkan'] },
    // Measured 12.4 MiB (node-llama-cpp 3.21.1).
    budgetBytes: 15 * MB,
  },
};

export function isVsceTarget(value: string): value is VsceTarget {
  return Object.hasOwn(PACKAGE_TARGETS, value);
}

/** The binary packages a target's .vsix carries, with the GPU variants asked for. */
export function binaryPackagesFor(target: PackageTarget, gpu: readonly GpuVariant[]): string[] {
  const extra = gpu.flatMap((variant) => {
    const packages = target.gpu[variant];
    if (packages === undefined) throw new Error(`node-llama-cpp has no ${variant} build for ${target.target}.`);
    return packages;
  });
  return [...target.binaries, ...extra];
}
