package org.bitnetspark.engine.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.bitnetspark.engine.gguf.GgmlType;
import org.junit.jupiter.api.Test;

/**
 * Every dequantiser on blocks built byte by byte, with the expected values worked out by hand in
 * the comments from the layouts in docs/FORMATS.md section 4 and ggml-common.h. All expected values
 * are exact in float, so the comparisons are exact.
 */
class DequantizeTest {

  private static ByteBuffer le(int size) {
    return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
  }

  private static float[] row(GgmlType type, ByteBuffer data, int n) {
    float[] out = new float[n];
    Dequantize.row(type, data, 0, n, out, 0);
    return out;
  }

  @Test
  void decodesEveryCodeOfATq2_0Block() {
    ByteBuffer b = le(66);
    for (int i = 0; i < 64; i++) b.put(i, (byte) 0x55); // every pair 01: code 1, weight 0
    // byte 0 = 0b10_01_00_10: element 0 (bits 0-1) code 2 -> +1, element 32 (bits 2-3) code 0 -> -1,
    // element 64 (bits 4-5) code 1 -> 0, element 96 (bits 6-7) code 2 -> +1
    b.put(0, (byte) 0b10_01_00_10);
    // byte 32 + 5 (second half): element 128 + 5 in bits 0-1: code 0 -> -1
    b.put(37, (byte) 0b01_01_01_00);
    b.putShort(64, (short) 0x3800); // d = 0.5
    float[] expected = new float[256];
    expected[0] = 0.5f;
    expected[32] = -0.5f;
    expected[96] = 0.5f;
    expected[133] = -0.5f;
    assertArrayEquals(expected, row(GgmlType.TQ2_0, b, 256));
  }

  @Test
  void decodesBase3DigitsOfATq1_0Block() {
    ByteBuffer b = le(54);
    // five trits (1,1,1,1,1) = 121 -> ceil(121*256/243) = 128: all zero weights
    for (int i = 0; i < 48; i++) b.put(i, (byte) 128);
    // four trits (1,1,1,1) = 40, times 3 = 120 -> ceil(120*256/243) = 127
    for (int i = 48; i < 52; i++) b.put(i, (byte) 127);
    // qs[3] holds trits (2,0,1,1,0): N = 2*81 + 0*27 + 1*9 + 1*3 + 0 = 174 -> ceil(174*256/243) = 184
    // digit 0 = (184*3)>>8 = 2; digit 1 = ((184*3 mod 256)*3)>>8 = (40*3)>>8 = 0; digit 2 = (120*3)>>8 = 1;
    // digit 3 = (104*3)>>8 = 1; digit 4 = (56*3)>>8 = 0. Digit n of qs[m] is element n*32 + m.
    b.put(3, (byte) 184);
    // qh[1] holds trits (0,2,1,1): N = 0*27 + 2*9 + 3 + 1 = 22, times 3 = 66 -> ceil(66*256/243) = 70;
    // digit n of qh[m] is element 240 + n*4 + m
    b.put(49, (byte) 70);
    b.putShort(52, (short) 0x4000); // d = 2
    float[] expected = new float[256];
    expected[3] = 2; // digit 0: trit 2 -> +1
    expected[35] = -2; // digit 1: trit 0 -> -1
    expected[131] = -2; // digit 4: trit 0 -> -1 (digits 2 and 3 are trit 1: zero weights)
    expected[241] = -2; // qh digit 0: trit 0
    expected[245] = 2; // qh digit 1: trit 2
    assertArrayEquals(expected, row(GgmlType.TQ1_0, b, 256));
  }

  @Test
  void decodesI2sGroupsAndTheTensorScale() {
    // a 2x128 tensor: 64 code bytes, then the f32 scale, then 28 zero bytes
    ByteBuffer b = le(64 + 32);
    for (int i = 0; i < 64; i++) b.put(i, (byte) 0x55);
    // byte 0 = c0<<6 | c32<<4 | c64<<2 | c96 = 0b10_00_01_10: element 0 +1, 32 -1, 64 0, 96 +1
    b.put(0, (byte) 0b10_00_01_10);
    // byte 32 is byte 0 of the second group (row 1): top pair 00 -> element 128 = row 1 element 0 = -1
    b.put(32, (byte) 0b00_01_01_01);
    b.putFloat(64, 0.25f);
    float[] row0 = new float[128];
    row0[0] = 0.25f;
    row0[32] = -0.25f;
    row0[96] = 0.25f;
    assertArrayEquals(row0, row(GgmlType.I2_S, b, 128));
    float[] row1 = new float[128];
    Dequantize.row(GgmlType.I2_S, b, 1, 128, row1, 0);
    float[] expected1 = new float[128];
    expected1[0] = -0.25f;
    assertArrayEquals(expected1, row1);
  }

  @Test
  void decodesQ8_0() {
    ByteBuffer b = le(34);
    b.putShort(0, (short) 0x3800); // d = 0.5
    b.put(2, (byte) 1).put(3, (byte) -2).put(4, (byte) 127).put(5, (byte) -128);
    float[] expected = new float[32];
    expected[0] = 0.5f;
    expected[1] = -1f;
    expected[2] = 63.5f;
    expected[3] = -64f;
    assertArrayEquals(expected, row(GgmlType.Q8_0, b, 32));
  }

  @Test
  void decodesQ4_KScalesMinsAndNibbles() {
    ByteBuffer b = le(144);
    b.putShort(0, (short) 0x3C00); // d = 1
    b.putShort(2, (short) 0x3800); // dmin = 0.5
    // scales[0] = 66 = 0b01_000010: scale of sub-block 0 = 66 & 63 = 2; its top bits (1) become bits 4-5
    // of sub-block 4's scale. scales[4] = 3: min of sub-block 0 = 3.
    // scales[8] = 0x21: sub-block 4 scale = (0x21 & 15) | (66 >> 6) << 4 = 1 | 16 = 17,
    // min = (0x21 >> 4) | (scales[4] >> 6) << 4 = 2
    b.put(4, (byte) 66).put(8, (byte) 3).put(12, (byte) 0x21);
    // qs starts at byte 16; element 0 = low nibble of qs[0]; element 128 = low nibble of qs[64]
    b.put(16, (byte) 0x05);
    b.put(16 + 64, (byte) 0x07);
    float[] y = row(GgmlType.Q4_K, b, 256);
    assertEquals(1 * 2 * 5 - 0.5f * 3, y[0]); // 8.5
    assertEquals(1 * 2 * 0 - 0.5f * 3, y[1]); // -1.5: same sub-block, nibble 0
    assertEquals(0f, y[32]); // sub-block 1: scale scales[1] = 0, min scales[5] = 0
    assertEquals(1 * 17 * 7 - 0.5f * 2, y[128]); // 118
    assertEquals(-1f, y[129]);
  }

  @Test
  void decodesQ6_KSixBitValues() {
    ByteBuffer b = le(210);
    // ql[128] at 0, qh[64] at 128, int8 scales[16] at 192, fp16 d at 208
    b.put(0, (byte) 0x05); // element 0 low nibble 5; element 64 low bits come from ql[0] >> 4 = 0
    b.put(128, (byte) 0b0000_0010); // qh[0] bits 0-1 = 2: element 0 = 5 | 2<<4 = 37; bits 4-5 = 0: element 64 = 0
    b.put(192, (byte) 3); // scale of elements 0..15
    b.put(196, (byte) -1); // scale of elements 64..79
    b.putShort(208, (short) 0x3800); // d = 0.5
    float[] y = row(GgmlType.Q6_K, b, 256);
    assertEquals(0.5f * 3 * (37 - 32), y[0]); // 7.5
    assertEquals(0.5f * 3 * (0 - 32), y[1]); // -48: a zero 6-bit value is -32
    assertEquals(0.5f * -1 * (0 - 32), y[64]); // 16
    assertEquals(0f, y[16], 0f); // scales[1] = 0 (the product is -0.0)
  }

  @Test
  void decodesFloatTypes() {
    ByteBuffer f16 = le(4).putShort(0, (short) 0x3C00).putShort(2, (short) 0xC400);
    assertArrayEquals(new float[] {1f, -4f}, row(GgmlType.F16, f16, 2));
    ByteBuffer bf16 = le(4).putShort(0, (short) 0x3F80).putShort(2, (short) 0xC080);
    assertArrayEquals(new float[] {1f, -4f}, row(GgmlType.BF16, bf16, 2));
    ByteBuffer f32 = le(8).putFloat(0, 1.5f).putFloat(4, -0.25f);
    assertArrayEquals(new float[] {1.5f, -0.25f}, row(GgmlType.F32, f32, 2));
  }

  @Test
  void encodersInvertTheDecoders() {
    byte[] codes = new byte[256];
    java.util.SplittableRandom r = new java.util.SplittableRandom(3);
    for (int i = 0; i < 256; i++) codes[i] = (byte) r.nextInt(3);
    for (GgmlType t : new GgmlType[] {GgmlType.TQ2_0, GgmlType.TQ1_0}) {
      ByteBuffer b = le(t.blockBytes);
      if (t == GgmlType.TQ2_0) Quantize.tq2_0(codes, 0, 0.75f, b);
      else Quantize.tq1_0(codes, 0, 0.75f, b);
      float[] y = row(t, b, 256);
      for (int i = 0; i < 256; i++) assertEquals((codes[i] - 1) * 0.75f, y[i], t + " element " + i);
    }
    ByteBuffer i2s = le(256 / 4 + 32);
    Quantize.i2s(codes, 256, 0.75f, i2s);
    float[] y = row(GgmlType.I2_S, i2s, 256);
    for (int i = 0; i < 256; i++) assertEquals((codes[i] - 1) * 0.75f, y[i], "I2_S element " + i);
    float[] x = new float[32];
    for (int i = 0; i < 32; i++) x[i] = i - 16;
    ByteBuffer q8 = le(34);
    Quantize.q8_0(x, 0, q8);
    float[] back = row(GgmlType.Q8_0, q8, 32);
    float d = Float16.round(16f / 127f);
    for (int i = 0; i < 32; i++) assertEquals(x[i], back[i], d / 2 + 1e-6, "Q8_0 element " + i);
  }

  @Test
  void blockSizesMatchGgml() {
    // ggml-common.h static_asserts: sizeof(block_tq2_0) = 66, block_tq1_0 = 54, block_q8_0 = 34,
    // block_q4_K = 144, block_q6_K = 210, each per 256 (32 for Q8_0) weights
    assertEquals(66, GgmlType.TQ2_0.blockBytes);
    assertEquals(54, GgmlType.TQ1_0.blockBytes);
    assertEquals(34, GgmlType.Q8_0.blockBytes);
    assertEquals(144, GgmlType.Q4_K.blockBytes);
    assertEquals(210, GgmlType.Q6_K.blockBytes);
    assertEquals(256 * 128 / 4 + 32, GgmlType.I2_S.byteSize(256, 128), "I2_S: n/4 + 32 bytes per tensor");
    assertEquals(-1, GgmlType.TQ2_0.byteSize(100, 1), "a row that is not whole blocks");
  }
}
