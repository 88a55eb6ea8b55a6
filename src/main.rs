fn main() {
    println!("colophon: under construction");
}
