package org.bitnetspark.engine.gguf;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.bitnetspark.engine.error.ModelFormatException;

/**
 * GGUF key/value metadata with typed getters. Values are held as read: integers as {@code Long},
 * {@code FLOAT32} as {@code Float}, {@code FLOAT64} as {@code Double}, {@code BOOL} as
 * {@code Boolean}, strings as {@code String}, arrays as {@code long[]}, {@code float[]},
 * {@code double[]}, {@code boolean[]} or {@code String[]}. A missing key or a value of the wrong
 * type fails with a {@link ModelFormatException} naming the key.
 */
public final class GgufMetadata {
  private final String source;
  private final Map<String, Object> values;
  private final Map<String, GgufValueType> types;

  public GgufMetadata(String source, Map<String, Object> values, Map<String, GgufValueType> types) {
    this.source = source;
    this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    this.types = Collections.unmodifiableMap(new LinkedHashMap<>(types));
  }

  /** All values in file order. */
  public Map<String, Object> asMap() {
    return values;
  }

  /** The declared type of a key, or null if absent. */
  public GgufValueType typeOf(String key) {
    return types.get(key);
  }

  public boolean contains(String key) {
    return values.containsKey(key);
  }

  public String getString(String key) {
    return get(key, String.class, "a string");
  }

  public Optional<String> findString(String key) {
    return contains(key) ? Optional.of(getString(key)) : Optional.empty();
  }

  /** An integer value that must fit an int (counts, lengths, ids). */
  public int getInt(String key) {
    long v = get(key, Long.class, "an integer");
    if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
      throw new ModelFormatException(source + ": metadata '" + key + "' = " + v + " is out of range for an int");
    }
    return (int) v;
  }

  public int getInt(String key, int defaultValue) {
    return contains(key) ? getInt(key) : defaultValue;
  }

  public long getLong(String key) {
    return get(key, Long.class, "an integer");
  }

  /** A float value; integer-typed values are accepted too (some converters write them). */
  public float getFloat(String key) {
    Object v = require(key);
    if (v instanceof Float f) return f;
    if (v instanceof Double d) return d.floatValue();
    if (v instanceof Long l) return l.floatValue();
    throw wrongType(key, "a number");
  }

  public float getFloat(String key, float defaultValue) {
    return contains(key) ? getFloat(key) : defaultValue;
  }

  public boolean getBoolean(String key, boolean defaultValue) {
    return contains(key) ? get(key, Boolean.class, "a bool") : defaultValue;
  }

  public String[] getStringArray(String key) {
    return get(key, String[].class, "an array of strings");
  }

  public float[] getFloatArray(String key) {
    Object v = require(key);
    if (v instanceof float[] f) return f;
    if (v instanceof double[] d) {
      float[] f = new float[d.length];
      for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
      return f;
    }
    throw wrongType(key, "an array of floats");
  }

  public long[] getIntegerArray(String key) {
    return get(key, long[].class, "an array of integers");
  }

  private <T> T get(String key, Class<T> type, String expected) {
    Object v = require(key);
    if (!type.isInstance(v)) throw wrongType(key, expected);
    return type.cast(v);
  }

  private Object require(String key) {
    Object v = values.get(key);
    if (v == null) {
      throw new ModelFormatException(source + ": required metadata key '" + key
          + "' is missing. Is this a complete GGUF model written by a current converter?");
    }
    return v;
  }

  private ModelFormatException wrongType(String key, String expected) {
    return new ModelFormatException(
        source + ": metadata '" + key + "' should be " + expected + " but has type " + types.get(key));
  }
}
