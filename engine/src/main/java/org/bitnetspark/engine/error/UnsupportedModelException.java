package org.bitnetspark.engine.error;

/**
 * A well-formed model file that uses something this engine does not implement (an architecture, a
 * tensor type, a tokenizer). The message names it and lists what is supported.
 */
public final class UnsupportedModelException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public UnsupportedModelException(String message) {
    super(message);
  }
}
