"""Side effects of the machines, named in the tables; they only record intent on the model."""
