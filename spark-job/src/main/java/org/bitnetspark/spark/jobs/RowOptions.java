package org.bitnetspark.spark.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bitnetspark.engine.generate.GenerationRequest;
import org.bitnetspark.engine.generate.SamplingParams;

/**
 * Per-row generation options, from an options column holding a JSON object string or a
 * {@code map<string,string>}: {@code max_tokens, temperature, top_k, top_p, min_p, repeat_penalty,
 * seed, stop} (stop: a string or a JSON array of strings). A key the row does not set takes the
 * job's value; an unknown key or a bad value is that row's error.
 */
public final class RowOptions {
  static final Set<String> KEYS = Set.of("max_tokens", "temperature", "top_k", "top_p", "min_p", "repeat_penalty",
      "seed", "stop");
  private static final ObjectMapper JSON = new ObjectMapper();

  private RowOptions() {}

  /** The request for one row; throws IllegalArgumentException naming the bad option. */
  public static GenerationRequest request(JobSettings s, String requestId, String rowId, String prompt, Object options) {
    Map<String, String> o = toMap(options);
    for (String key : o.keySet()) {
      if (!KEYS.contains(key)) {
        throw new IllegalArgumentException("unknown generation option '" + key + "'; known: " + new java.util.TreeSet<>(KEYS));
      }
    }
    long seed = o.containsKey("seed") ? parseLong(o, "seed") : s.rowSeed(rowId);
    SamplingParams sampling = new SamplingParams(
        o.containsKey("temperature") ? parseFloat(o, "temperature") : s.temperature(),
        o.containsKey("top_k") ? (int) parseLong(o, "top_k") : s.topK(),
        o.containsKey("top_p") ? parseFloat(o, "top_p") : s.topP(),
        o.containsKey("min_p") ? parseFloat(o, "min_p") : s.minP(),
        o.containsKey("repeat_penalty") ? parseFloat(o, "repeat_penalty") : s.repeatPenalty(), 64, seed);
    int maxTokens = o.containsKey("max_tokens") ? (int) parseLong(o, "max_tokens") : s.maxTokens();
    List<String> stop = o.containsKey("stop") ? parseStop(o.get("stop")) : s.stopStrings();
    return new GenerationRequest(requestId, prompt, maxTokens, sampling, stop, null,
        GenerationRequest.PromptOverflow.parse(s.promptOverflow()));
  }

  private static Map<String, String> toMap(Object options) {
    if (options == null) return Map.of();
    if (options instanceof Map<?, ?> m) {
      Map<String, String> out = new HashMap<>();
      m.forEach((k, v) -> out.put(String.valueOf(k), v == null ? null : String.valueOf(v)));
      return out;
    }
    if (options instanceof scala.collection.Map<?, ?> m) {
      return toMap(scala.jdk.javaapi.CollectionConverters.asJava(m));
    }
    String text = options.toString().trim();
    if (text.isEmpty()) return Map.of();
    try {
      JsonNode node = JSON.readTree(text);
      if (!node.isObject()) throw new IllegalArgumentException("options must be a JSON object, got: " + text);
      Map<String, String> out = new HashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        out.put(e.getKey(), e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString());
      }
      return out;
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException("options are not valid JSON (" + e.getOriginalMessage() + "): " + text);
    }
  }

  private static long parseLong(Map<String, String> o, String key) {
    try {
      return Long.parseLong(o.get(key).trim());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("option " + key + " = '" + o.get(key) + "' is not an integer");
    }
  }

  private static float parseFloat(Map<String, String> o, String key) {
    try {
      return Float.parseFloat(o.get(key).trim());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("option " + key + " = '" + o.get(key) + "' is not a number");
    }
  }

  private static List<String> parseStop(String value) {
    if (value == null) return List.of();
    String v = value.trim();
    if (v.startsWith("[")) {
      try {
        List<String> out = new ArrayList<>();
        for (JsonNode n : JSON.readTree(v)) out.add(n.asText());
        return out;
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalArgumentException("option stop is not a JSON array of strings: " + v);
      }
    }
    return List.of(value);
  }
}
