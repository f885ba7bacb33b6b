package org.bitnetspark.engine.checkpoint;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.bitnetspark.engine.error.ModelFormatException;
import org.bitnetspark.engine.tokenizer.Vocabulary;

/**
 * SentencePiece's {@code tokenizer.model}: a protobuf {@code ModelProto} read with the wire format
 * alone (the fields we need are few): {@code pieces = 1} (each {@code piece = 1, score = 2, type = 3}),
 * {@code trainer_spec = 2} ({@code unk_id = 40, bos_id = 41, eos_id = 42}) and {@code normalizer_spec
 * = 3} ({@code add_dummy_prefix = 3}). SentencePiece's piece types number as GGUF's token types.
 */
public final class SentencePieceModel {
  private SentencePieceModel() {}

  public static TokenizerSpec read(String uri, ByteBuffer bytes) {
    Wire in = new Wire(uri, bytes.order(ByteOrder.LITTLE_ENDIAN));
    List<String> pieces = new ArrayList<>();
    List<Float> scores = new ArrayList<>();
    List<Long> types = new ArrayList<>();
    int unk = 0;
    int bos = 1;
    int eos = 2;
    boolean addDummyPrefix = true;
    while (in.more()) {
      int key = (int) in.varint();
      int field = key >>> 3;
      if (field == 1 && (key & 7) == 2) {
        Wire p = in.message();
        String piece = "";
        float score = 0;
        long type = Vocabulary.NORMAL;
        while (p.more()) {
          int k = (int) p.varint();
          switch (k) {
            case (1 << 3) | 2 -> piece = p.string();
            case (2 << 3) | 5 -> score = p.fixed32();
            case (3 << 3) -> type = p.varint();
            default -> p.skip(k);
          }
        }
        pieces.add(piece);
        scores.add(score);
        types.add(type);
      } else if (field == 2 && (key & 7) == 2) {
        Wire t = in.message();
        while (t.more()) {
          int k = (int) t.varint();
          switch (k) {
            case (40 << 3) -> unk = (int) t.varint();
            case (41 << 3) -> bos = (int) t.varint();
            case (42 << 3) -> eos = (int) t.varint();
            default -> t.skip(k);
          }
        }
      } else if (field == 3 && (key & 7) == 2) {
        Wire n = in.message();
        while (n.more()) {
          int k = (int) n.varint();
          if (k == (3 << 3)) addDummyPrefix = n.varint() != 0;
          else n.skip(k);
        }
      } else {
        in.skip(key);
      }
    }
    if (pieces.isEmpty()) throw new ModelFormatException(uri + ": no pieces; this is not a SentencePiece model");
    int n = pieces.size();
    float[] s = new float[n];
    long[] t = new long[n];
    for (int i = 0; i < n; i++) {
      s[i] = scores.get(i);
      t[i] = types.get(i);
    }
    return new TokenizerSpec("llama", null, pieces.toArray(new String[0]), s, t, null, check(uri, bos, n),
        check(uri, eos, n), check(uri, unk, n), true, addDummyPrefix, null);
  }

  private static int check(String uri, int id, int n) {
    if (id >= n) throw new ModelFormatException(uri + ": special id " + id + " is outside the " + n + " pieces");
    return id; // -1 means "none" in SentencePiece too
  }

  /** Protobuf wire-format reading over a buffer; every read is bounds-checked. */
  private static final class Wire {
    private final String uri;
    private final ByteBuffer b;

    Wire(String uri, ByteBuffer b) {
      this.uri = uri;
      this.b = b;
    }

    boolean more() {
      return b.hasRemaining();
    }

    long varint() {
      long v = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        need(1);
        byte x = b.get();
        v |= (long) (x & 0x7f) << shift;
        if (x >= 0) return v;
      }
      throw corrupt("a varint longer than 10 bytes");
    }

    float fixed32() {
      need(4);
      return b.getFloat();
    }

    String string() {
      int n = length();
      byte[] s = new byte[n];
      b.get(s);
      return new String(s, StandardCharsets.UTF_8);
    }

    Wire message() {
      int n = length();
      ByteBuffer sub = b.slice(b.position(), n).order(ByteOrder.LITTLE_ENDIAN);
      b.position(b.position() + n);
      return new Wire(uri, sub);
    }

    void skip(int key) {
      switch (key & 7) {
        case 0 -> varint();
        case 1 -> { need(8); b.position(b.position() + 8); }
        case 2 -> { int n = length(); b.position(b.position() + n); }
        case 5 -> { need(4); b.position(b.position() + 4); }
        default -> throw corrupt("wire type " + (key & 7));
      }
    }

    private int length() {
      long n = varint();
      if (n < 0 || n > b.remaining()) throw corrupt("a length of " + n + " with " + b.remaining() + " bytes left");
      return (int) n;
    }

    private void need(int n) {
      if (b.remaining() < n) throw corrupt("the data ends inside a field");
    }

    private ModelFormatException corrupt(String what) {
      return new ModelFormatException(uri + ": not a valid SentencePiece model (" + what + " at byte " + b.position()
          + "); the file is truncated or corrupt");
    }
  }
}
