declare module 'snappyjs' {
  export function uncompress(input: Uint8Array | ArrayBuffer, maxLength?: number): Uint8Array;
  export function compress(input: Uint8Array | ArrayBuffer): Uint8Array;
}
