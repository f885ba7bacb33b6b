package org.bitnetspark.engine.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import org.bitnetspark.engine.gguf.GgufFile;
import org.bitnetspark.engine.gguf.GgufReader;
import org.bitnetspark.engine.checkpoint.ModelInputs;
import org.bitnetspark.engine.io.ModelSources;
import org.bitnetspark.engine.tokenizer.Tokenizer;
import org.bitnetspark.engine.tokenizer.Tokenizers;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Tokenises text with a model's tokenizer (the weights are not read). */
@Command(name = "tokenize", mixinStandardHelpOptions = true, description = "Token ids of a text, as llama-tokenize gives them.")
final class TokenizeCommand implements Callable<Integer> {
  @Mixin
  ModelOption model;

  @Option(names = "--text", required = true, paramLabel = "TEXT", description = "The text.")
  String text;

  @Option(names = "--no-bos", description = "Do not add BOS (and EOS), even if the vocabulary asks for them.")
  boolean noBos;

  @Option(names = "--parse-special", description = "Recognise control-token texts such as <s> in the text.")
  boolean parseSpecial;

  @Option(names = "--json", description = "Print {\"tokens\":[...],\"pieces\":[...]}.")
  boolean json;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    try (GgufFile f = GgufReader.read(ModelInputs.open(model.model))) {
      Tokenizer t = Tokenizers.fromGguf(f.uri(), f.metadata());
      int[] ids = t.encode(text, !noBos, parseSpecial);
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        ObjectMapper m = new ObjectMapper();
        ObjectNode o = m.createObjectNode();
        o.set("tokens", m.valueToTree(ids));
        String[] pieces = new String[ids.length];
        for (int i = 0; i < ids.length; i++) pieces[i] = t.vocabulary().text(ids[i]);
        o.set("pieces", m.valueToTree(pieces));
        out.println(m.writeValueAsString(o));
      } else {
        for (int id : ids) {
          out.printf("%6d -> '%s'%n", id, new String(t.pieceBytes(id), StandardCharsets.UTF_8));
        }
      }
      return 0;
    }
  }
}
