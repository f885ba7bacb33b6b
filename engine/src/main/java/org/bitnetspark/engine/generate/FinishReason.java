package org.bitnetspark.engine.generate;

import java.util.Locale;

/** Why a generation ended. */
public enum FinishReason {
  /** A stop string appeared; it is not part of the text. */
  STOP,
  /** The token limit or the context length was reached. */
  LENGTH,
  /** The model produced an end-of-generation token. */
  EOS,
  /** The request could not be processed; the result carries the error. */
  ERROR;

  /** Lower-case name, as written in job output. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
