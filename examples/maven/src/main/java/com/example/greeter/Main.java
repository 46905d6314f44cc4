package com.example.greeter;

import org.apache.commons.lang3.StringUtils;

/** Prints a greeting for each argument, capitalised. */
public final class Main {
    private Main() {}

    public static void main(String[] arguments) {
        String[] names = arguments.length == 0 ? new String[] {"world"} : arguments;
        for (String name : names) {
            System.out.println("Hello, " + StringUtils.capitalize(name) + "!");
        }
    }
}
