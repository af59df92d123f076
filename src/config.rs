//! Where pim keeps its files.
