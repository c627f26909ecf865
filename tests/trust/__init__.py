"""Trust under fire (issue #8): crashes, outages, atomic casting, hostile input, data safety."""
