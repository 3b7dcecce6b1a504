package dev.kiln.builder.recipe;

import java.util.ArrayList;
import java.util.List;

/**
 * Docker's splitting of an expansion result into words (wordsStruct): unquoted whitespace
 * separates words, quoted text and escaped characters never do.
 */
final class WordSplitter {
    private final List<String> words = new ArrayList<>();
    private final StringBuilder buf = new StringBuilder();
    private boolean inWord;

    void addChar(int ch) {
        if (Words.isSpace(ch)) {
            if (inWord && buf.length() != 0) {
                words.add(buf.toString());
                buf.setLength(0);
                inWord = false;
            }
        } else {
            addRawChar(ch);
        }
    }

    void addRawChar(int ch) {
        buf.appendCodePoint(ch);
        inWord = true;
    }

    void addString(String s) {
        s.codePoints().forEach(this::addChar);
    }

    void addRawString(String s) {
        buf.append(s);
        inWord = true;
    }

    List<String> words() {
        List<String> out = new ArrayList<>(words);
        if (buf.length() > 0) {
            out.add(buf.toString());
        }
        return out;
    }
}
