// SHA-256 (FIPS 180-4) of a string's UTF-8 bytes, in hex. The control socket's address is a hash of
// the workspace's path, and `orchestrate add` must name it: loading node:crypto for one short hash
// costs a CLI run ~5 ms, computing it here microseconds. Tested against node:crypto.

// The first 32 bits of the fractional parts of the cube roots of the first 64 primes.
const ROUND_CONSTANTS = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
]);

// The first 32 bits of the fractional parts of the square roots of the first 8 primes.
const INITIAL_HASH = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

// The working variables a to h.
type Words = [number, number, number, number, number, number, number, number];

const rotate = (word: number, bits: number) => (word >>> bits) | (word << (32 - bits));

export function sha256Hex(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  // The message, a 1 bit, zeros, and its length in bits (64 bits): a whole number of 64-byte blocks.
  const blocks = Math.ceil((bytes.length + 9) / 64);
  const message = new Uint32Array(blocks * 16);
  for (let i = 0; i < bytes.length; i++) message[i >> 2]! |= bytes[i]! << (24 - 8 * (i & 3));
  message[bytes.length >> 2]! |= 0x80 << (24 - 8 * (bytes.length & 3));
  message[blocks * 16 - 2] = Math.floor(bytes.length / 0x20000000);
  message[blocks * 16 - 1] = bytes.length * 8;
  const hash = Uint32Array.from(INITIAL_HASH);
  const schedule = new Uint32Array(64);
  for (let block = 0; block < blocks; block++) {
    for (let t = 0; t < 64; t++) {
      if (t < 16) {
        schedule[t] = message[block * 16 + t]!;
        continue;
      }
      const early = schedule[t - 15]!;
      const late = schedule[t - 2]!;
      const s0 = rotate(early, 7) ^ rotate(early, 18) ^ (early >>> 3);
      const s1 = rotate(late, 17) ^ rotate(late, 19) ^ (late >>> 10);
      schedule[t] = schedule[t - 16]! + s0 + schedule[t - 7]! + s1;
    }
    let words = [...hash] as Words;
    for (let t = 0; t < 64; t++) {
      const [a, b, c, d, e, f, g, h] = words;
      const s1 = rotate(e, 6) ^ rotate(e, 11) ^ rotate(e, 25);
      const choice = (e & f) ^ (~e & g);
      const first = (h + s1 + choice + ROUND_CONSTANTS[t]! + schedule[t]!) | 0;
      const s0 = rotate(a, 2) ^ rotate(a, 13) ^ rotate(a, 22);
      const majority = (a & b) ^ (a & c) ^ (b & c);
      words = [(first + s0 + majority) | 0, a, b, c, (d + first) | 0, e, f, g];
    }
    for (let i = 0; i < 8; i++) hash[i]! += words[i]!;
  }
  return Array.from(hash, (word) => word.toString(16).padStart(8, '0')).join('');
}
