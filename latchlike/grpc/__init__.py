"""The FlyteAdmin and DataProxy subset flytekit's clients use; protobufs end here."""
