package org.bitnetspark.engine.quant;

import java.nio.ByteBuffer;

/**
 * Decodes the ternary file formats into codes {0, 1, 2} meaning weights {-1, 0, +1}
 * (docs/FORMATS.md sections 4.1, 4.2, 4.5). The scale is not applied here.
 */
public final class TernaryCodes {
  /** Elements per block of the TQ formats. */
  public static final int QK = 256;

  private TernaryCodes() {}

  /**
   * block_tq2_0: qs[64] then fp16 d. Element e: byte 32*(e/128) + e%32, bit pair (e%128)/32. So
   * byte b of a 32-byte half holds elements b, b+32, b+64, b+96 in bit pairs 0..3.
   */
  public static void tq2_0(ByteBuffer data, int at, byte[] codes, int co) {
    for (int e = 0; e < QK; e++) {
      int b = data.get(at + 32 * (e / 128) + e % 32) & 0xff;
      codes[co + e] = (byte) ((b >> (2 * ((e % 128) / 32))) & 3);
    }
  }

  private static final int[] POW3 = {1, 3, 9, 27, 81, 243};

  /**
   * block_tq1_0: qs[48] (5 trits per byte) + qh[4] (4 trits per byte) + fp16 d. A byte holds base-3
   * digits as a fixed-point fraction; digit n is {@code ((uint8)(byte * 3^n) * 3) >> 8}.
   */
  public static void tq1_0(ByteBuffer data, int at, byte[] codes, int co) {
    for (int n = 0; n < 5; n++) {
      for (int m = 0; m < 32; m++) codes[co + n * 32 + m] = trit(data.get(at + m), n);
    }
    for (int n = 0; n < 5; n++) {
      for (int m = 0; m < 16; m++) codes[co + 160 + n * 16 + m] = trit(data.get(at + 32 + m), n);
    }
    for (int n = 0; n < 4; n++) {
      for (int m = 0; m < 4; m++) codes[co + 240 + n * 4 + m] = trit(data.get(at + 48 + m), n);
    }
  }

  private static byte trit(byte packed, int n) {
    int v = ((packed & 0xff) * POW3[n]) & 0xff; // the uint8 multiply wraps
    return (byte) ((v * 3) >> 8);
  }

  /** I2_S (x86 ACT_PARALLEL layout): element j of each 128-group sits in byte j%32 at shift 6-2*(j/32). */
  public static int i2sCode(ByteBuffer data, long element) {
    long group = element / 128;
    int j = (int) (element % 128);
    int b = data.get(Math.toIntExact(group * 32 + j % 32)) & 0xff;
    return (b >> (6 - 2 * (j / 32))) & 3;
  }
}
