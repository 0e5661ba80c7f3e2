package io.sightline.core.instance;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The in-memory inverted file of an {@link InstanceIndex}: for every visual word the stored
 * keypoints quantised to it (image ordinal, keypoint number, signature), the number of images that
 * contain each word (for idf), and the encoded features of every image (for verification).
 *
 * <p>Removal marks an image dead; its postings are skipped and dropped by {@link #compact()} once
 * dead images make up a quarter of the file. Not thread-safe: {@link InstanceIndex} guards it with
 * a read-write lock.
 */
final class InvertedFile {
  private final int words;
  private int[][] refs;
  private char[][] feats;
  private long[][] sigs;
  private int[] lengths;
  private final int[] df;
  private final List<EncodedFeatures> images = new ArrayList<>();
  private final List<String> ids = new ArrayList<>();
  private final Map<String, Integer> ordinals = new HashMap<>();
  private int dead;
  private long postings;

  InvertedFile(int words) {
    this.words = words;
    this.refs = new int[words][];
    this.feats = new char[words][];
    this.sigs = new long[words][];
    this.lengths = new int[words];
    this.df = new int[words];
  }

  int size() {
    return ordinals.size();
  }

  int ordinalCount() {
    return images.size();
  }

  boolean contains(String id) {
    return ordinals.containsKey(id);
  }

  List<String> ids() {
    return List.copyOf(ordinals.keySet());
  }

  String id(int ordinal) {
    return ids.get(ordinal);
  }

  EncodedFeatures image(int ordinal) {
    return images.get(ordinal);
  }

  EncodedFeatures image(String id) {
    Integer o = ordinals.get(id);
    return o == null ? null : images.get(o);
  }

  int df(int word) {
    return df[word];
  }

  int length(int word) {
    return lengths[word];
  }

  int[] refs(int word) {
    return refs[word];
  }

  char[] feats(int word) {
    return feats[word];
  }

  long[] sigs(int word) {
    return sigs[word];
  }

  long postings() {
    return postings;
  }

  /** Adds an image (replacing one of the same id). */
  void add(String id, EncodedFeatures f) {
    remove(id);
    int ord = images.size();
    images.add(f);
    ids.add(id);
    ordinals.put(id, ord);
    int[] distinct = f.words().clone();
    Arrays.sort(distinct);
    for (int i = 0; i < distinct.length; i++) {
      if (i == 0 || distinct[i] != distinct[i - 1]) {
        df[distinct[i]]++;
      }
    }
    for (int k = 0; k < f.count(); k++) {
      append(f.words()[k], ord, (char) k, f.signatures()[k]);
    }
    postings += f.count();
  }

  /** @return whether the id was present */
  boolean remove(String id) {
    Integer ord = ordinals.remove(id);
    if (ord == null) {
      return false;
    }
    EncodedFeatures f = images.get(ord);
    int[] distinct = f.words().clone();
    Arrays.sort(distinct);
    for (int i = 0; i < distinct.length; i++) {
      if (i == 0 || distinct[i] != distinct[i - 1]) {
        df[distinct[i]]--;
      }
    }
    images.set(ord, null);
    postings -= f.count();
    dead++;
    if (dead > 64 && dead * 4 > images.size()) {
      compact();
    }
    return true;
  }

  /** Whether an ordinal is a live image. */
  boolean live(int ordinal) {
    return images.get(ordinal) != null;
  }

  private void append(int w, int ord, char feat, long sig) {
    int n = lengths[w];
    if (refs[w] == null) {
      refs[w] = new int[4];
      feats[w] = new char[4];
      sigs[w] = new long[4];
    } else if (n == refs[w].length) {
      int cap = n + (n >> 1) + 4;
      refs[w] = Arrays.copyOf(refs[w], cap);
      feats[w] = Arrays.copyOf(feats[w], cap);
      sigs[w] = Arrays.copyOf(sigs[w], cap);
    }
    refs[w][n] = ord;
    feats[w][n] = feat;
    sigs[w][n] = sig;
    lengths[w] = n + 1;
  }

  /** Drops dead images and renumbers the live ones. */
  void compact() {
    List<EncodedFeatures> keepImages = new ArrayList<>();
    List<String> keepIds = new ArrayList<>();
    for (int o = 0; o < images.size(); o++) {
      if (images.get(o) != null) {
        keepImages.add(images.get(o));
        keepIds.add(ids.get(o));
      }
    }
    images.clear();
    ids.clear();
    ordinals.clear();
    refs = new int[words][];
    feats = new char[words][];
    sigs = new long[words][];
    lengths = new int[words];
    Arrays.fill(df, 0);
    postings = 0;
    dead = 0;
    for (int i = 0; i < keepImages.size(); i++) {
      add(keepIds.get(i), keepImages.get(i));
    }
  }

  /** @return approximate heap bytes held (postings, features, ids) */
  long bytes() {
    long b = 0;
    for (int w = 0; w < words; w++) {
      if (refs[w] != null) {
        b += 14L * refs[w].length + 3 * 16;
      }
    }
    for (int o = 0; o < images.size(); o++) {
      if (images.get(o) != null) {
        b += images.get(o).bytes() + 2L * ids.get(o).length() + 64;
      }
    }
    return b;
  }
}
