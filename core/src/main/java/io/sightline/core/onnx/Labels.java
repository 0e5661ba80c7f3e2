package io.sightline.core.onnx;

import io.sightline.core.ModelException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Resolves the labels a builder was given: a list, or a file with one label per line. */
final class Labels {
  private Labels() {}

  static List<String> resolve(String owner, List<String> labels, Path file) {
    if (labels != null) {
      if (labels.isEmpty()) {
        throw new IllegalStateException(owner + ": labels must not be empty");
      }
      return labels;
    }
    if (file == null) {
      throw new IllegalStateException(owner + ": labels(list) or labelsFile(path) is required");
    }
    List<String> read = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (!line.isBlank()) {
          read.add(line.strip());
        }
      }
    } catch (IOException e) {
      throw new ModelException("cannot read labels file " + file + " (expected UTF-8 text, one label per line): " + e, e);
    }
    if (read.isEmpty()) {
      throw new ModelException("labels file " + file + " holds no labels; expected one label per line");
    }
    return List.copyOf(read);
  }
}
