export declare const REPO: string;
export declare const FIXTURES: string;
export interface ManifestFile {
  readonly sha256: string;
  readonly size: number;
  readonly contentSha256: string;
  readonly contentSize: number;
  readonly content: string;
}
export interface Manifest {
  readonly name: string;
  readonly arch: 'x86_64' | 'arm64';
  readonly version: string;
  readonly kernelRelease: string;
  readonly linuxBanner: string;
  readonly ramMiB: number;
  readonly ramPhysBase: string;
  readonly memoryRanges: ReadonlyArray<{ start: string; end: string }>;
  readonly kaslrOffset: string;
  readonly kallsymsText: string;
  readonly systemMapText: string;
  readonly pageSize: number;
  readonly vaBits: number | null;
  readonly pgdemo: { module: string; cache: string; objectSize: number; allocated: number; freed: number; liveObjects: number };
  readonly dwarf: { version: number; committed: boolean };
  readonly files: Readonly<Record<string, ManifestFile>>;
}
export declare function cacheDir(): string;
export declare function fixtureSets(): string[];
export declare function manifest(set: string): Manifest;
export declare function sha256(path: string): string;
export declare function fixtureFile(set: string, content: string): string;
export declare function fixtureText(set: string, content: string): string;
export declare function rawDump(set: string): { path: string; base: bigint };
