package org.bitnetspark.engine.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bitnetspark.engine.model.BitNetModel;
import org.bitnetspark.engine.model.ModelLoader;

/**
 * The read-only fixtures in {@code ../shared/} (models, llama.cpp reference outputs, texts). Tests
 * that need them call these methods, which skip the test with a clear message when the folder is
 * absent. The location comes from {@code -Dbitnet.shared.dir} (set by the build) or
 * {@code ../shared} next to the checkout.
 */
public final class SharedData {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Map<String, BitNetModel> MODELS = new ConcurrentHashMap<>();

  private SharedData() {}

  public static Path dir() {
    String configured = System.getProperty("bitnet.shared.dir");
    Path[] candidates = configured != null
        ? new Path[] {Path.of(configured)}
        : new Path[] {Path.of("../shared"), Path.of("../../shared")};
    for (Path p : candidates) {
      if (Files.isDirectory(p.resolve("models"))) return p.normalize();
    }
    assumeTrue(false, "no shared fixtures folder (looked for " + candidates[0].toAbsolutePath().normalize()
        + "); skipping llama.cpp reference test");
    return null;
  }

  public static Path file(String relative) {
    Path p = dir().resolve(relative);
    assumeTrue(Files.exists(p), "no " + p + "; skipping llama.cpp reference test");
    return p;
  }

  public static Path model(String name) {
    return file("models/" + name + ".gguf");
  }

  /** Loads a shared model once per test JVM (they are immutable). */
  public static BitNetModel loadModel(String name) {
    Path p = model(name);
    return MODELS.computeIfAbsent(name, n -> ModelLoader.load(p));
  }

  public static JsonNode json(String relative) {
    try {
      return JSON.readTree(file(relative).toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static int[] ints(JsonNode array) {
    int[] out = new int[array.size()];
    for (int i = 0; i < out.length; i++) out[i] = array.get(i).asInt();
    return out;
  }

  public static float[] floats(JsonNode array) {
    float[] out = new float[array.size()];
    for (int i = 0; i < out.length; i++) out[i] = (float) array.get(i).asDouble();
    return out;
  }
}
