//! gongkai (公开): case files of government-information disclosure applications under the PRC
//! Regulations on Open Government Information (2019).

pub mod db;
pub mod domain;
pub mod http;
pub mod security;
pub mod service;
pub mod startup;
pub mod web;
