package org.bitnetspark.engine.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import org.bitnetspark.engine.gguf.GgufFile;
import org.bitnetspark.engine.gguf.GgufReader;
import org.bitnetspark.engine.io.LocalModelSource;
import org.bitnetspark.engine.testing.SharedData;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Token ids must equal llama.cpp's exactly: its own tokenizer test vectors
 * ({@code models/vocab/*.inp/.out}), the reference tokenizations (with and without BOS), and the
 * 7935/7284-token tokenization of the perplexity text.
 */
class ReferenceTokenizationTest {

  static Tokenizer vocab(String name) throws IOException {
    try (GgufFile f = GgufReader.read(new LocalModelSource(SharedData.file("models/vocab/ggml-vocab-" + name + ".gguf")))) {
      return Tokenizers.fromGguf(f.uri(), f.metadata());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"llama-spm", "gpt-2"})
  void matchesLlamaCppTestVectors(String name) throws IOException {
    Tokenizer t = vocab(name);
    String inp = Files.readString(SharedData.file("models/vocab/ggml-vocab-" + name + ".gguf.inp"), StandardCharsets.UTF_8);
    String[] texts = inp.split("\n__ggml_vocab_test__\n", -1);
    String[] outs = Files.readString(SharedData.file("models/vocab/ggml-vocab-" + name + ".gguf.out")).split("\n", -1);
    int checked = 0;
    for (int i = 0; i < texts.length && i < outs.length; i++) {
      if (i == texts.length - 1 && texts[i].isEmpty()) break; // trailing separator
      int[] expected = outs[i].isBlank() ? new int[0]
          : Arrays.stream(outs[i].trim().split(" +")).mapToInt(Integer::parseInt).toArray();
      assertArrayEquals(expected, t.encode(texts[i], false, true), name + " case " + i + ": '" + texts[i] + "'");
      checked++;
    }
    assertEquals(texts.length - 1, checked, "every test vector was checked");
  }

  @ParameterizedTest
  @ValueSource(strings = {"llama-spm", "gpt-2"})
  void matchesReferenceTokenizations(String name) throws IOException {
    Tokenizer t = vocab(name);
    JsonNode ref = SharedData.json("data/reference/tokenization-" + name + ".json");
    for (JsonNode c : ref.get("cases")) {
      String text = c.get("text").asText();
      assertArrayEquals(SharedData.ints(c.get("ids_default")), t.encode(text, true, true), name + " with BOS: '" + text + "'");
      assertArrayEquals(SharedData.ints(c.get("ids_no_bos")), t.encode(text, false, true), name + " no BOS: '" + text + "'");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"tiny-bitnet-spm-f32", "tiny-bitnet-bpe-tq2_0"})
  void tokenisesThePerplexityTextLikeLlamaCpp(String model) throws IOException {
    Tokenizer t = SharedData.loadModel(model).tokenizer();
    String text = Files.readString(SharedData.file("data/text/tinyshakespeare-24k.txt"), StandardCharsets.UTF_8);
    int[] expected = SharedData.ints(SharedData.json("data/reference/perplexity-" + model + ".json").get("text_tokens"));
    assertArrayEquals(expected, t.encode(text, true, false));
    assertEquals(text, t.decode(expected), "decoding gives the text back");
  }
}
