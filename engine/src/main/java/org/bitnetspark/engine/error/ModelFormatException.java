package org.bitnetspark.engine.error;

/**
 * A model file is malformed: truncated, corrupt, or internally inconsistent. The message names the
 * file, the byte offset or field, what was expected and what was found, and what to do about it.
 */
public final class ModelFormatException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ModelFormatException(String message) {
    super(message);
  }

  public ModelFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
